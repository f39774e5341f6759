// Child-process helpers for the buildah run: run a command to completion with captured output,
// a timeout and optional stdin, and time named steps.
import { spawn, type ChildProcess } from 'node:child_process';

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

/** Runs `cmd args`, resolving with its output whatever the exit code. */
export function exec(cmd: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const command = [cmd, ...args].join(' ');
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
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
      clearTimeout(timer);
      resolve({ command, code: null, signal: null, stdout, stderr: `${stderr}${err.message}`, timedOut, ms: Date.now() - started });
    });
    child.on('close', (code, signal) => {
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
