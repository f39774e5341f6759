// Runs one client as a child process and takes its numbers from the OS, never from the client:
// GNU time (/usr/bin/time -f '%e %U %S %M': wall, user, sys, max RSS) when present, otherwise a
// clearly labelled /proc fallback (utime/stime from /proc/PID/stat and VmHWM from /proc/PID/status,
// polled every 20 ms, so up to 20 ms of CPU at the very end can be missed).
// The client's stdout goes to a file; the runner reads it only after the client has exited, so the
// runner takes no CPU while a client is measured.
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

export const GNU_TIME = '/usr/bin/time';

export type TimeSource = 'gnu-time' | 'proc';

export function timeSource(): TimeSource {
  try {
    accessSync(GNU_TIME, constants.X_OK);
    return 'gnu-time';
  } catch {
    return 'proc';
  }
}

export interface Usage {
  /** Seconds. */
  wall: number;
  user: number;
  sys: number;
  /** Peak resident set, MB (MiB). */
  rssMb: number;
  exitCode: number | null;
  signal: string | null;
  /** Tail of the client's stderr. */
  stderr: string;
  timedOut: boolean;
}

export interface RunSpec {
  /** Arguments after `node`. */
  args: string[];
  cwd: string;
  /** Where the client's stdout goes. */
  outFile: string;
  /** Scratch file for GNU time's report. */
  timeFile: string;
  timeoutMs: number;
  source: TimeSource;
  /** The client's environment; the runner's own when absent. */
  env?: NodeJS.ProcessEnv;
}

/** The child being measured, so an interrupted runner can end it (by its process group). */
let current: number | undefined;

/** Set once the runner is interrupted: no new client may start after that. */
let halted = false;

/** Kills the client being measured and refuses to start another. */
export function halt(): void {
  halted = true;
  killCurrent();
}

function refuseIfHalted(): void {
  if (halted) throw new Error('interrupted');
}

export function killCurrent(): void {
  if (current === undefined) return;
  try {
    process.kill(-current, 'SIGKILL');
  } catch {
    // already gone
  }
}

const STDERR_KEEP = 4096;
const TICKS = 100; // USER_HZ on Linux

function procSample(pid: number): { user: number; sys: number; hwmKb: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (in ticks).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const m = /VmHWM:\s+(\d+)/.exec(status);
    return { user: Number(rest[11]) / TICKS, sys: Number(rest[12]) / TICKS, hwmKb: m ? Number(m[1]) : 0 };
  } catch {
    return null;
  }
}

export async function measure(spec: RunSpec): Promise<Usage> {
  refuseIfHalted();
  const out = openSync(spec.outFile, 'w');
  const gnu = spec.source === 'gnu-time';
  const command = gnu ? GNU_TIME : process.execPath;
  const argv = gnu ? ['-f', '%e %U %S %M', '-o', spec.timeFile, process.execPath, ...spec.args] : spec.args;
  const started = performance.now();
  const child = spawn(command, argv, { cwd: spec.cwd, env: spec.env ?? process.env, stdio: ['ignore', out, 'pipe'], detached: true });
  closeSync(out);
  current = child.pid;
  let stderr = '';
  const errStream = child.stderr!;
  errStream.setEncoding('utf8');
  errStream.on('data', (s: string) => {
    stderr = (stderr + s).slice(-STDERR_KEEP);
  });
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    killCurrent();
  }, spec.timeoutMs);
  // /proc fallback: sample while it runs; the last sample before exit is what we report.
  let user = 0;
  let sys = 0;
  let hwmKb = 0;
  let poller: NodeJS.Timeout | undefined;
  if (!gnu && child.pid !== undefined) {
    const pid = child.pid;
    const sample = (): void => {
      const s = procSample(pid);
      if (s) {
        user = s.user;
        sys = s.sys;
        hwmKb = Math.max(hwmKb, s.hwmKb);
      }
    };
    sample();
    poller = setInterval(sample, 20);
  }
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve([c, s]));
  }).finally(() => {
    clearTimeout(killer);
    if (poller) clearInterval(poller);
    current = undefined;
  });
  const wallOwn = (performance.now() - started) / 1000;
  await new Promise<void>((resolve) => {
    if (errStream.readableEnded || errStream.destroyed) resolve();
    else errStream.once('close', () => resolve());
  });
  if (gnu) {
    // GNU time prints "Command exited with non-zero status N" before the format line.
    const text = await readFile(spec.timeFile, 'utf8').catch(() => '');
    await rm(spec.timeFile, { force: true });
    const line = text.trim().split('\n').pop() ?? '';
    const [e, u, s, m] = line.split(' ').map(Number);
    const valid = [e, u, s, m].every((x) => x !== undefined && Number.isFinite(x));
    let exitCode = code;
    const st = /exited with non-zero status (\d+)/.exec(text);
    if (st) exitCode = Number(st[1]);
    if (/terminated by signal/.test(text)) exitCode = null;
    return {
      wall: valid ? e! : wallOwn,
      user: valid ? u! : NaN,
      sys: valid ? s! : NaN,
      rssMb: valid ? m! / 1024 : NaN,
      exitCode,
      signal,
      stderr,
      timedOut,
    };
  }
  return { wall: wallOwn, user, sys, rssMb: hwmKb / 1024, exitCode: code, signal, stderr, timedOut };
}

/** Wall time of a short command (spawn to exit), seconds; for start-up, where 10 ms steps are too coarse. */
export async function wallOnly(args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<{ wall: number; exitCode: number | null; stdout: string }> {
  refuseIfHalted();
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  current = child.pid;
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (s: string) => {
    stdout = (stdout + s).slice(-STDERR_KEEP);
  });
  const killer = setTimeout(killCurrent, timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  }).finally(() => {
    clearTimeout(killer);
    current = undefined;
  });
  return { wall: (performance.now() - started) / 1000, exitCode: code, stdout: stdout.trim() };
}

/** Busy CPU seconds of the whole machine so far (all cores; /proc/stat user+nice+system+irq+softirq); NaN off Linux. */
export function systemBusy(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq] = cpu;
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) / TICKS;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + sys) a running process has used so far; NaN when it cannot be read. */
export function processCpu(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICKS;
  } catch {
    return NaN;
  }
}
