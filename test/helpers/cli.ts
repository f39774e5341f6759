// Shared helpers for end-to-end tests: spawn the built CLI (bin/crawl.js), collect its output,
// parse NDJSON records; temp directories. Compiled to dist/test/helpers/cli.js.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bin/crawl.js at the repository root (this file runs from dist/test/helpers/). */
export const binPath = fileURLToPath(new URL('../../../bin/crawl.js', import.meta.url));
/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliOptions {
  /** Written to the child's stdin, which is then closed; without it stdin is closed at once. */
  stdin?: string;
  /** Extra environment, merged over process.env (minus proxy variables) and CI=true. */
  env?: NodeJS.ProcessEnv;
  /** Kill the child (SIGKILL) after this long; default 30 s. */
  timeoutMs?: number;
  /** Working directory; default the repository root. */
  cwd?: string;
  /** Arguments for node before the script, e.g. `--import` of a module that injects a fault. */
  nodeArgs?: string[];
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as NDJSON, one object per non-empty line. */
  records: Record<string, unknown>[];
  /** True when the child was killed because timeoutMs ran out. */
  timedOut: boolean;
}

/** Non-empty lines of a text, without trailing \r. */
export function lines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0);
}

/** Parses NDJSON; throws with the offending line when one is not JSON. */
export function parseNdjson(text: string): Record<string, unknown>[] {
  return lines(text).map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new Error(`not a JSON line: ${JSON.stringify(l.slice(0, 200))}`);
    }
  });
}

const PROXY_VARS = new Set(['http_proxy', 'https_proxy', 'no_proxy', 'all_proxy']);

/** process.env without proxy settings: tests talk to loopback servers directly (opts.env may add them back). */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!PROXY_VARS.has(k.toLowerCase())) env[k] = v;
  return env;
}

/** Starts the CLI; `result` settles when the child has exited and its pipes are drained. */
export function startCli(args: string[], opts: CliOptions = {}): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), binPath, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...inheritedEnv(), CI: 'true', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => { stdout += d; });
  child.stderr!.on('data', (d: string) => { stderr += d; });
  child.stdin!.on('error', () => undefined);
  if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  else child.stdin!.end();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? 30_000);
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let records: Record<string, unknown>[] = [];
      try {
        records = parseNdjson(stdout);
      } catch {
        records = [];
      }
      resolve({ code, signal, stdout, stderr, records, timedOut });
    });
  });
  return { child, result };
}

/** Runs the CLI to the end. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return startCli(args, opts).result;
}

/** Resolves once `predicate(what the child wrote to \`stream\` so far)` holds; rejects if the child ends first. */
export function waitForOutput(child: ChildProcess, stream: 'stdout' | 'stderr', predicate: (text: string) => boolean): Promise<string> {
  const source = child[stream]!;
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer | string): void => {
      seen += d.toString();
      if (predicate(seen)) {
        source.off('data', onData);
        child.off('close', onClose);
        resolve(seen);
      }
    };
    const onClose = (): void => reject(new Error(`child exited before the expected ${stream}; got ${JSON.stringify(seen.slice(-500))}`));
    source.on('data', onData);
    child.once('close', onClose);
  });
}

/** Resolves once `predicate(stdout so far)` holds (checked on every chunk); rejects if the child exits first. */
export function waitForStdout(child: ChildProcess, predicate: (stdout: string) => boolean): Promise<string> {
  return waitForOutput(child, 'stdout', predicate);
}

/** A fresh temp directory; `cleanup()` removes it. */
export async function tempDir(prefix = 'crawl-test-'): Promise<{ path: string; file: (name: string) => string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, file: (name) => join(path, name), cleanup: () => rm(path, { recursive: true, force: true }) };
}
