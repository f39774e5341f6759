// Child-process helpers for the buildah run: run a command to completion with captured output,
// a timeout and optional stdin; find and stop a child's whole process tree.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';

export interface ExecOptions {
  /** Written to the child's stdin, which is then closed. Without it stdin is empty. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the child (SIGKILL) after this many ms. Default 10 minutes. */
  timeoutMs?: number;
  /** Also stream the child's stdout/stderr to our stderr as it arrives. */
  echo?: boolean;
  /** Called with the child once spawned (e.g. to find its descendants). */
  onSpawn?: (child: ChildProcess) => void;
  /** Cleanup work: runs even after `stopChildren`. */
  cleanup?: boolean;
}

export interface ExecResult {
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export class ExecError extends Error {
  constructor(readonly result: ExecResult) {
    super(
      `${result.command} ${result.timedOut ? 'timed out' : `exited ${result.code ?? result.signal}`}` +
        `\n${tail(result.stderr || result.stdout, 40)}`,
    );
  }
}

/** The last `lines` lines of `text`, for error messages. */
export function tail(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? ['…', ...all.slice(-lines)] : all).join('\n');
}

/** Children still running, so an interrupted run can stop them. */
const live = new Set<ChildProcess>();
let stopping = false;

/** PIDs of every process below `rootPid`, read from /proc (the comm field may hold spaces). */
export async function descendants(rootPid: number): Promise<number[]> {
  const parent = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Exited while we looked.
    }
  }
  const found: number[] = [];
  for (const pid of parent.keys()) {
    let p = parent.get(pid);
    for (let hops = 0; p !== undefined && p > 1 && hops < 64; hops++) {
      if (p === rootPid) {
        found.push(pid);
        break;
      }
      p = parent.get(p);
    }
  }
  return found;
}

/**
 * For an interrupted run: no new children from now on, and every running child is killed with
 * everything below it (a crawl that is PID 1 of its own namespace outlives a killed buildah).
 */
export async function stopChildren(): Promise<void> {
  stopping = true;
  for (const child of live) {
    if (child.pid === undefined) continue;
    for (const pid of await descendants(child.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    child.kill('SIGKILL');
  }
}

/** Runs `cmd args`, resolving with its output whatever the exit code. */
export function exec(cmd: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const command = [cmd, ...args].join(' ');
  const started = Date.now();
  if (stopping && options.cleanup !== true) {
    return Promise.resolve({ command, code: null, signal: null, stdout: '', stderr: 'not started: interrupted', timedOut: false, ms: 0 });
  }
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    live.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (options.echo === true) process.stderr.write(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (options.echo === true) process.stderr.write(chunk);
    });
    child.stdin.on('error', () => {
      // The child may exit without reading its input; that shows in its exit code.
    });
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 600_000);
    child.on('error', (err) => {
      live.delete(child);
      clearTimeout(timer);
      resolve({ command, code: null, signal: null, stdout, stderr: `${stderr}${err.message}`, timedOut, ms: Date.now() - started });
    });
    child.on('close', (code, signal) => {
      live.delete(child);
      clearTimeout(timer);
      resolve({ command, code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
    });
    options.onSpawn?.(child);
  });
}

/** Like `exec`, but rejects with an ExecError unless the command exits 0. */
export async function execOk(cmd: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const result = await exec(cmd, args, options);
  if (result.code !== 0) throw new ExecError(result);
  return result;
}

/** Whether `cmd` is on PATH. */
export async function onPath(cmd: string): Promise<boolean> {
  const r = await exec('sh', ['-c', `command -v ${cmd}`]);
  return r.code === 0;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
