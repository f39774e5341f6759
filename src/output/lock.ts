// One writer per output file: `crawl -o out.ndjson` holds `out.ndjson.lock` (its pid and the process's
// start time inside) while it writes, so a second crawl on the same file stops before touching it
// instead of tearing lines. A lock left by a process that no longer runs (kill -9, a crash, a reboot,
// a container that is gone) is taken over: its pid is dead, a zombie, or now names another process.
import { link, readFile, realpath, rename, unlink, writeFile } from 'node:fs/promises';
import { readFileSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../user-error.js';

export class LockedError extends UserError {
  constructor(readonly path: string, readonly pid: number) {
    super(`${path} is being written by another crawl (pid ${pid})`);
  }
}

export interface Lock {
  /** Removes the lock file; safe to call twice, and synchronous so it can run on process exit. */
  release(): void;
}

interface Holder {
  pid: number;
  /** The process's start time (clock ticks since boot, /proc/PID/stat field 22); '' where unknown. */
  start: string;
}

/** State and start time of `pid` from /proc, or null without /proc (or once it is gone). */
function procStat(pid: number): { state: string; start: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', start: fields[19] ?? '' };
  } catch {
    return null;
  }
}

/** Whether the lock's holder still runs: its pid answers (EPERM: as another user), is no zombie, and started when the lock says. */
function alive(h: Holder): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat = procStat(h.pid);
  if (stat === null) return true; // no /proc: trust kill()
  // A zombie (killed, not yet reaped) answers kill(pid, 0) but writes nothing; a different start
  // time means the pid was reused (after a reboot, or in another container) by some other process.
  return stat.state !== 'Z' && (h.start === '' || stat.start === h.start);
}

/** The lock's path: beside the real file, so two names for one file (a symlink) share one lock. */
async function lockPath(path: string): Promise<string> {
  const abs = resolve(path);
  let real = abs;
  try {
    real = await realpath(abs);
  } catch {
    real = join(await realpath(dirname(abs)).catch(() => dirname(abs)), basename(abs));
  }
  return `${real}.lock`;
}

/** Who holds `lock`: null when there is no lock file, pid 0 when its content is garbage. */
async function holder(lock: string): Promise<Holder | null> {
  const text = await readFile(lock, 'utf8').catch(() => null);
  if (text === null) return null;
  const [pidText = '', start = ''] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  return { pid: /^\d+$/.test(pidText) && Number.isSafeInteger(pid) && pid > 0 ? pid : 0, start };
}

/**
 * Takes the lock for writing `path`, or rejects with LockedError naming the live holder. The lock file
 * appears atomically with its pid already in it (written aside, then hard-linked into place), so a
 * reader never sees it empty.
 */
export async function lockOutput(path: string, shownAs = path): Promise<Lock> {
  const lock = await lockPath(path);
  const aside = `${lock}.${process.pid}`;
  await writeFile(aside, `${process.pid} ${procStat(process.pid)?.start ?? ''}\n`);
  try {
    for (let tries = 0; tries < 5; tries++) {
      try {
        await link(aside, lock);
        return held(lock);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const h = await holder(lock);
      if (h === null) continue; // released meanwhile: try again
      if (h.pid !== 0 && h.pid !== process.pid && alive(h)) throw new LockedError(shownAs, h.pid);
      // Stale (its process is gone, or the file is garbage): move it aside to a name of our own, and
      // if what we moved is not the stale lock after all (another run took over first), put it back.
      const stale = `${lock}.stale.${process.pid}`;
      if (await rename(lock, stale).then(() => true, () => false)) {
        const moved = await holder(stale);
        if (moved !== null && (moved.pid !== h.pid || moved.start !== h.start)) await link(stale, lock).catch(() => undefined);
        await unlink(stale).catch(() => undefined);
      }
    }
    throw new Error(`cannot take the lock ${lock}`);
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

function held(lock: string): Lock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      unlinkSync(lock);
    } catch {
      // already gone
    }
  };
  process.on('exit', release);
  return { release };
}
