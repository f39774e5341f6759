// Descriptors stay bounded whatever the number of hosts: the CLI's open files, sampled from
// /proc/<pid>/fd while it crawls thousands of origins whose servers ask for minute-long keep-alive,
// stay ≤ 2 × --limit + 32; under a low `ulimit -n` it lowers --limit, says so, and no URL fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { startPorts } from '../fixtures/ports.js';
import { binPath, parseNdjson, startCli } from './helpers/cli.js';

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

test('ulimit -n 256 with --limit 200: one stderr line, --limit lowered, every record ok', { skip: !linux && 'needs /proc' }, async () => {
  const ports = await startPorts(1200, { delayMs: 20 });
  try {
    const urls = ports.ports.map((p) => `http://127.0.0.1:${p}/b`);
    const child = spawn('bash', ['-c', `ulimit -n 256 && exec "${process.execPath}" "${binPath}" --limit 200`], {
      env: { ...process.env, CI: 'true' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
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
    assert.equal(code, 0, stderr);
    const records = parseNdjson(stdout);
    assert.equal(records.length, 1200);
    const failed = records.filter((x) => !x.ok);
    assert.deepEqual(failed.slice(0, 3), [], `${failed.length} failed`);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, /ulimit -n\) is 256.*--limit 200.*running with --limit 112/);
    assert.ok((await maxFds) <= 256);
  } finally {
    await ports.close();
  }
});
