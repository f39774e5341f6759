// One writer per output file: `crawl -o out.ndjson` holds `out.ndjson.lock` (its pid inside) while it
// writes, so a second crawl on the same file stops before touching it instead of tearing lines.
// A lock left by a process that no longer runs (kill -9, a crash, a reboot) is taken over.
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

/** Whether `pid` names a running process (EPERM: it runs, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (killed, its parent has not reaped it yet) still answers kill(pid, 0) but writes nothing.
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: trust kill()
  }
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

async function holder(lock: string): Promise<number | null> {
  const text = await readFile(lock, 'utf8').catch(() => null);
  if (text === null) return null;
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : 0;
}

/**
 * Takes the lock for writing `path`, or rejects with LockedError naming the live holder. The lock file
 * appears atomically with its pid already in it (written aside, then hard-linked into place), so a
 * reader never sees it empty.
 */
export async function lockOutput(path: string, shownAs = path): Promise<Lock> {
  const lock = await lockPath(path);
  const aside = `${lock}.${process.pid}`;
  await writeFile(aside, `${process.pid}\n`);
  try {
    for (let tries = 0; tries < 5; tries++) {
      try {
        await link(aside, lock);
        return held(lock);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const pid = await holder(lock);
      if (pid === null) continue; // released meanwhile: try again
      if (pid !== 0 && pid !== process.pid && alive(pid)) throw new LockedError(shownAs, pid);
      // Stale (its process is gone, or the file is garbage): move it aside to a name of our own, and
      // if what we moved is not the stale lock after all (another run took over first), put it back.
      const stale = `${lock}.stale.${process.pid}`;
      if (await rename(lock, stale).then(() => true, () => false)) {
        if ((await holder(stale)) !== pid) await link(stale, lock).catch(() => undefined);
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
