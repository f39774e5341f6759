// Helpers for the resilience tests (test/resilience-*.test.ts): URL list files, condition waits,
// exit timing, stderr waits, a port nobody listens on, and a CLI run whose peak RSS is measured by
// the OS. Spawning the plain CLI is test/helpers/cli.ts's job; this file only adds what it lacks.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { performance } from 'node:perf_hooks';
import { binPath, parseNdjson, repoRoot, waitForOutput } from './cli.js';

/** Writes `urls` one per line (with a final newline) to `path`; returns `path`. */
export async function writeList(path: string, urls: string[]): Promise<string> {
  await writeFile(path, urls.join('\n') + '\n');
  return path;
}

/**
 * Resolves with the first truthy value of `check()`, evaluated now and then every `everyMs`; rejects
 * after `timeoutMs`. This waits on a condition (a file's content, a server counter), not on time.
 */
export async function waitUntil<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when the 'exit' event fired. */
  at: number;
}

/** The child's exit, with its time. Call it right after spawning so the event cannot be missed. */
export function exited(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
  });
}

/** Resolves once the child's stderr so far satisfies `predicate`; rejects if the child exits first. */
export function waitForStderr(child: ChildProcess, predicate: (stderr: string) => boolean): Promise<string> {
  return waitForOutput(child, 'stderr', predicate);
}

/** Sends `signal` to a child we started, if it still runs (cleanup after a failed assertion). */
export function killIfRunning(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) child.kill(signal);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
}

/**
 * Ports handed out for port 0 (every fixture's, and every test's, listen) come from the kernel's
 * ephemeral range, 32768-60999 on Linux; a closed port picked below it is never taken by another
 * test's server between the check and the connect, which one taken from that range was (seen).
 */
const QUIET_LOW = 20_000;
const QUIET_HIGH = 32_000;

/** A port below the ephemeral range that is free on every one of `hosts`: connecting there is refused. */
export async function closedPort(hosts: string[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = QUIET_LOW + Math.floor(Math.random() * (QUIET_HIGH - QUIET_LOW));
    const servers: Server[] = [];
    try {
      for (const host of hosts) {
        const s = createServer();
        servers.push(s);
        await listen(s, port, host);
      }
      return port;
    } catch {
      // something listens there on one of the hosts; try another
    } finally {
      await Promise.all(servers.map((s) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r()))));
    }
  }
  throw new Error(`no common free port on ${hosts.join(', ')}`);
}

const PROXY_VARS = new Set(['http_proxy', 'https_proxy', 'no_proxy', 'all_proxy']);

/** process.env without proxy variables, CI=true, then `extra`. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!PROXY_VARS.has(k.toLowerCase())) env[k] = v;
  return { ...env, CI: 'true', ...extra };
}

export interface MeasuredRun {
  code: number | null;
  stdout: string;
  stderr: string;
  records: Record<string, unknown>[];
  /** Peak resident set size of the crawl process, in KiB. */
  peakKiB: number;
  /** How peakKiB was measured. */
  method: 'gnu-time' | 'proc-vmhwm';
}

/**
 * Spawns the CLI with stdin left open (test/helpers/cli.ts always closes it), like `tail -f urls |
 * crawl` or a terminal. Collects stdout; the caller writes stdin and must kill the child by PID.
 */
export function spawnWithOpenStdin(args: string[]): { child: ChildProcess; stdout: () => string } {
  const child = spawn(process.execPath, [binPath, ...args], { cwd: repoRoot, env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr!.resume();
  child.stdin!.on('error', () => undefined);
  return { child, stdout: () => out };
}

const GNU_TIME = '/usr/bin/time';

/** True when /usr/bin/time is GNU time (it understands -f/-o). */
export function haveGnuTime(): boolean {
  if (!existsSync(GNU_TIME)) return false;
  const r = spawnSync(GNU_TIME, ['--version'], { encoding: 'utf8' });
  return /GNU/.test(`${r.stdout}${r.stderr}`);
}

function readVmHwmKiB(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then(
    (s) => Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(s)?.[1] ?? 0),
    () => 0,
  );
}

/**
 * Runs the CLI and measures its peak RSS from the OS, never from the crawler's own report:
 *  - with GNU time: `/usr/bin/time -f %M -o FILE node bin/crawl.js …`; %M is ru_maxrss from wait4(),
 *    the kernel's exact peak for the node process;
 *  - without it: /proc/PID/status VmHWM (the kernel's RSS high-water mark) polled every 10 ms while
 *    the child runs; the largest value read is a lower bound (the peak after the last read is missed).
 * `rssFile` is a scratch path for GNU time's output; `nodeArgs` go to node, before bin/crawl.js.
 */
export async function runMeasured(args: string[], rssFile: string, timeoutMs = 60_000, nodeArgs: readonly string[] = []): Promise<MeasuredRun> {
  const gnu = haveGnuTime();
  const argv = gnu ? ['-f', '%M', '-o', rssFile, process.execPath, ...nodeArgs, binPath, ...args] : [...nodeArgs, binPath, ...args];
  // A process group of its own, so a timeout kills time's node child too (by the group leader's PID).
  const child = spawn(gnu ? GNU_TIME : process.execPath, argv, { cwd: repoRoot, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  let polledPeak = 0;
  let polling = !gnu;
  const poll = async (): Promise<void> => {
    while (polling && child.pid !== undefined) {
      polledPeak = Math.max(polledPeak, await readVmHwmKiB(child.pid));
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const poller = poll();
  const timer = setTimeout(() => {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  });
  clearTimeout(timer);
  polling = false;
  await poller;
  let peakKiB = polledPeak;
  if (gnu) {
    // On a non-zero exit GNU time writes "Command exited with non-zero status N" first; %M is last.
    const text = await readFile(rssFile, 'utf8').catch(() => '');
    peakKiB = Number(text.trim().split('\n').pop() ?? 0);
  }
  let records: Record<string, unknown>[] = [];
  try {
    records = parseNdjson(stdout);
  } catch {
    records = [];
  }
  return { code, stdout, stderr, records, peakKiB, method: gnu ? 'gnu-time' : 'proc-vmhwm' };
}

/** The record whose url is `url`; fails loudly when there is not exactly one. */
export function recordFor(records: Record<string, unknown>[], url: string): Record<string, unknown> {
  const found = records.filter((r) => r.url === url);
  if (found.length !== 1) throw new Error(`expected one record for ${url}, found ${found.length}: ${JSON.stringify(records).slice(0, 1000)}`);
  return found[0]!;
}

/** The record's error code, or undefined. */
export function errorCodeOf(record: Record<string, unknown>): string | undefined {
  return (record.error as { code?: string } | undefined)?.code;
}
