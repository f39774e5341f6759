// Issue 13, rows 12–14: UTF-16 input lists (LE and BE, BOM; a file and stdin), a line with whitespace
// inside, a line without a scheme (the hint; --default-scheme puts the scheme in).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { startSite } from '../fixtures/site.js';
import { utf16be, utf16le } from '../fixtures/rough-lists.js';
import { binPath, parseNdjson, runCli, tempDir, type CliResult } from './helpers/cli.js';

type Rec = Record<string, unknown>;

/** Runs the CLI with raw bytes on stdin (runCli's stdin is a string). */
function runWithBytes(args: string[], input: Buffer): Promise<Pick<CliResult, 'code' | 'stdout' | 'stderr' | 'records'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], { env: { ...process.env, CI: 'true' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, records: parseNdjson(stdout) });
    });
    // Two writes: the BOM's first byte alone, then the rest, so a BOM split across reads is covered.
    child.stdin.write(input.subarray(0, 1), () => setTimeout(() => child.stdin.end(input.subarray(1)), 50));
  });
}

test('UTF-16 LE and BE input lists with a BOM are decoded: one ok record per URL (files and stdin)', async (t) => {
  const site = await startSite({ log: false });
  const dir = await tempDir();
  t.after(async () => {
    await site.close();
    await dir.cleanup();
  });
  const urls = [site.url('127.0.0.1', '/page/1'), site.url('127.0.0.1', '/about')];
  await writeFile(dir.file('le.txt'), utf16le(urls));
  await writeFile(dir.file('be.txt'), utf16be(['# a comment', site.url('127.0.0.1', '/page/2')]));
  const r = await runCli([dir.file('le.txt'), dir.file('be.txt'), '--progress', 'never']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 3, r.stdout);
  assert.ok(r.records.every((rec) => rec.ok === true), r.stdout);
  assert.deepEqual(r.records.map((rec) => rec.url).sort(), [...urls, site.url('127.0.0.1', '/page/2')].sort());

  const s = await runWithBytes(['-', '--progress', 'never'], utf16le(urls));
  assert.equal(s.code, 0, s.stderr);
  assert.deepEqual(s.records.map((rec) => rec.title).sort(), ['About', 'Page 1']);
});

test('a line with whitespace inside is EINVALIDURL "contains whitespace"; nothing is fetched for it', async (t) => {
  const site = await startSite({ log: false });
  t.after(() => site.close());
  const bad = `${site.url('127.0.0.1', '/page/1')} x`;
  const r = await runCli(['-', '--progress', 'never'], { stdin: `${bad}\n${site.url('127.0.0.1', '/page/2')}\thttp://b.test/\n` });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 2);
  for (const rec of r.records) {
    const err = rec.error as Rec;
    assert.equal(err.code, 'EINVALIDURL');
    assert.match(String(err.message), /^line \d: contains whitespace$/);
  }
  assert.equal(site.stats.requests, 0, 'no request for a line with whitespace');
});

test('a line without a scheme: EINVALIDURL with the hint; --default-scheme http fetches it', async (t) => {
  const site = await startSite({ log: false });
  t.after(() => site.close());
  const bare = `127.0.0.1:${site.port}/page/3`;
  const r = await runCli(['-', '--progress', 'never'], { stdin: `example.com\n${bare}\n//127.0.0.1:${site.port}/about\nmailto:a@b.test\n` });
  assert.equal(r.code, 0, r.stderr);
  const msgs = r.records.map((rec) => String((rec.error as Rec).message));
  assert.deepEqual(msgs, [
    'line 1: no scheme; did you mean http://example.com? (--default-scheme)',
    `line 2: no scheme; did you mean http://${bare}? (--default-scheme)`,
    `line 3: no scheme; did you mean http://127.0.0.1:${site.port}/about? (--default-scheme)`,
    'line 4: unsupported scheme "mailto", only http and https',
  ]);

  const d = await runCli(['-', '--default-scheme', 'http', '--progress', 'never'], { stdin: `${bare}\n//127.0.0.1:${site.port}/about\nhttp://127.0.0.1:${site.port}/page/4\n` });
  assert.equal(d.code, 0, d.stderr);
  assert.deepEqual(d.records.map((rec) => [rec.url, rec.ok, rec.title]).sort(), [
    [`http://${bare}`, true, 'Page 3'],
    [`http://127.0.0.1:${site.port}/about`, true, 'About'],
    [`http://127.0.0.1:${site.port}/page/4`, true, 'Page 4'],
  ].sort());

  const bad = await runCli(['-', '--default-scheme', 'ftp'], { stdin: '' });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--default-scheme must be one of http, https, got "ftp"/);
});
