// Descriptors stay bounded whatever the number of hosts: the CLI's open files, sampled from
// /proc/<pid>/fd while it crawls thousands of origins whose servers ask for minute-long keep-alive,
// stay ≤ 2 × --limit + 32; under a low `ulimit -n` it lowers --limit, says so, and no URL fails;
// and when descriptors really run out (held by something else in the process), it waits for them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startDns } from '../fixtures/dns.js';
import { startPorts } from '../fixtures/ports.js';
import { binPath, parseNdjson, startCli, tempDir } from './helpers/cli.js';

const linux = existsSync('/proc/self/fd');

/** Samples the child's open descriptors every few ms until it exits; the most seen. */
function sampleFds(pid: number, exited: Promise<unknown>): Promise<number> {
  let max = 0;
  const timer = setInterval(() => {
    try {
      max = Math.max(max, readdirSync(`/proc/${pid}/fd`).length);
    } catch {
      // gone
    }
  }, 5);
  return exited.then(() => {
    clearInterval(timer);
    return max;
  });
}

test('3,000 origins at --limit 32: open descriptors stay ≤ 2 × 32 + 32', { skip: !linux && 'needs /proc' }, async () => {
  const ports = await startPorts(3000, { delayMs: 5 });
  try {
    const urls = ports.ports.map((p) => `http://127.0.0.1:${p}/a`);
    const { child, result } = startCli(['--limit', '32', '--per-host', '4'], { stdin: urls.join('\n') + '\n', timeoutMs: 120_000 });
    const maxFds = sampleFds(child.pid!, result);
    const r = await result;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.records.length, 3000);
    assert.equal(r.records.filter((x) => x.ok).length, 3000);
    const most = await maxFds;
    assert.ok(most > 32, `sampling saw the crawl's sockets (${most})`);
    assert.ok(most <= 2 * 32 + 32, `at most ${most} descriptors open`);
    assert.equal(ports.requests(), 3000);
  } finally {
    await ports.close();
  }
});

/** Runs `argv` under `ulimit -n limit` with `urls` on stdin; the most descriptors it held, sampled. */
async function underUlimit(limit: number, argv: string[], extraEnv: NodeJS.ProcessEnv, urls: string[]): Promise<{ code: number | null; stdout: string; stderr: string; maxFds: number }> {
  const env: NodeJS.ProcessEnv = { CI: 'true', ...extraEnv };
  for (const [k, v] of Object.entries(process.env)) if (!/^(https?|no|all)_proxy$/i.test(k)) env[k] ??= v;
  const quoted = argv.map((a) => `"${a}"`).join(' ');
  const child = spawn('bash', ['-c', `ulimit -n ${limit} && exec ${quoted}`], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(urls.join('\n') + '\n');
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const maxFds = sampleFds(child.pid!, exited);
  const code = await exited;
  clearTimeout(killer);
  return { code, stdout, stderr, maxFds: await maxFds };
}

test('ulimit -n 256 with --limit 200: one stderr line, --limit lowered, every record ok', { skip: !linux && 'needs /proc' }, async () => {
  const ports = await startPorts(1200, { delayMs: 20 });
  try {
    const urls = ports.ports.map((p) => `http://127.0.0.1:${p}/b`);
    const { code, stdout, stderr, maxFds } = await underUlimit(256, [process.execPath, binPath, '--limit', '200'], {}, urls);
    assert.equal(code, 0, stderr);
    const records = parseNdjson(stdout);
    assert.equal(records.length, 1200);
    const failed = records.filter((x) => !x.ok);
    assert.deepEqual(failed.slice(0, 3), [], `${failed.length} failed`);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, /ulimit -n\) is 256.*--limit 200.*running with --limit 112/);
    assert.ok(maxFds <= 256);
  } finally {
    await ports.close();
  }
});

const holdDescriptors = fileURLToPath(new URL('./helpers/faults/hold-descriptors.js', import.meta.url));

test('out of descriptors for real (all but 30 of ulimit -n 256 held elsewhere, --limit 100 not lowered): every record ok, none EMFILE, the jar still saved', { skip: !linux && 'needs /proc' }, async () => {
  const ports = await startPorts(600, { delayMs: 20 });
  // Half the URLs by name, so c-ares needs its sockets too; the other half by IP literal.
  const dns = await startDns({ delayMs: 5, answer: (name) => (/^p\d+\.fd\.test$/.test(name) ? { a: ['127.0.0.1'] } : undefined) });
  const dir = await tempDir();
  try {
    const urls = ports.ports.map((p, i) => (i % 2 === 0 ? `http://p${i}.fd.test:${p}/c` : `http://127.0.0.1:${p}/c`));
    await writeFile(dir.file('cookies.txt'), '# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tkept\tyes\n');
    const args = ['--limit', '100', '--progress', 'never', '--dns-servers', dns.server, '-b', dir.file('cookies.txt'), '-c', dir.file('jar.txt'), '--log-file', dir.file('log')];
    const { code, stdout, stderr, maxFds } = await underUlimit(256, [process.execPath, '--import', holdDescriptors, binPath, ...args], { CRAWL_TEST_FREE_FDS: '30' }, urls);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '', 'no stderr line: 2 × 100 + 32 fits 256, so --limit was not lowered');
    assert.equal(maxFds, 256, 'the process did run out of descriptors');
    const records = parseNdjson(stdout);
    assert.equal(records.length, 600);
    const failed = records.filter((x) => !x.ok);
    assert.deepEqual(failed.slice(0, 3), [], `${failed.length} failed`);
    assert.doesNotMatch(stdout, /EMFILE|ENFILE|too many open files/);
    assert.match(await readFile(dir.file('jar.txt'), 'utf8'), /^127\.0\.0\.1\tFALSE\t\/\tFALSE\t4102444800\tkept\tyes$/m);
    assert.equal(ports.requests(), 600);
  } finally {
    await dir.cleanup();
    await dns.close();
    await ports.close();
  }
});
