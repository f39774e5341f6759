// Exit codes and the streams: 0/1/2 per the contract with one-line usage errors, --version/--help,
// `crawl … | head -1` ending at once and quietly, -o FILE leaving stdout empty and stderr free of ANSI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { startSite } from '../fixtures/site.js';
import { binPath, lines, parseNdjson, repoRoot, runCli, tempDir } from './helpers/cli.js';

const ANSI = /\x1b\[/;
const STACK_LINE = /^\s+at /m;

test('exit 0 when the crawl ends, failed URLs included; --fail makes a failed URL exit 1 and leaves an all-ok crawl at 0', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  t.after(() => site.close());
  const good = site.url('127.0.0.1', '/page/1');
  const bad = site.url('127.0.0.1', '/status/404');

  const plain = await runCli(['-', '--progress', 'never'], { stdin: `${good}\n${bad}\n` });
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.records.length, 2);
  assert.equal(plain.records.filter((r) => r.ok === false).length, 1);

  const failing = await runCli(['-', '--fail', '--progress', 'never'], { stdin: `${good}\n${bad}\n` });
  assert.equal(failing.code, 1);
  assert.equal(failing.records.length, 2, 'every record is still written');

  const allOk = await runCli(['-', '--fail', '--progress', 'never'], { stdin: `${good}\n` });
  assert.equal(allOk.code, 0, allOk.stderr);

  const invalidLine = await runCli(['-', '--fail', '--progress', 'never'], { stdin: 'not a url\n' });
  assert.equal(invalidLine.code, 1, 'an EINVALIDURL record counts as failed');
});

test('exit 2 with exactly one stderr line and no stack: unknown option, --limit 0, missing input, directory input, unwritable -o, missing cookie file, unwritable -c, bad selector, misspelt option', async (t) => {
  const dir = await tempDir();
  t.after(() => dir.cleanup());
  await writeFile(dir.file('list.txt'), 'http://127.0.0.1:9/\n');
  const cases: [string, string[], RegExp][] = [
    ['unknown option', ['--no-such-option'], /unknown option '--no-such-option'/],
    ['misspelt option (commander adds a hint)', ['--limt', '3'], /unknown option '--limt'.*Did you mean --limit\?/],
    ['--limit 0', ['--limit', '0', dir.file('list.txt')], /--limit/],
    ['missing input file', [dir.file('missing.txt')], /cannot read .*missing\.txt/],
    ['a directory as input, after a good file', [dir.file('list.txt'), dir.path], /cannot read .*: is a directory/],
    ['unwritable -o', [dir.file('list.txt'), '-o', '/nonexistent-dir/x'], /cannot write \/nonexistent-dir\/x/],
    ['missing cookie file', [dir.file('list.txt'), '-b', dir.file('no-cookies.txt')], /cookie file/],
    ['unwritable -c', [dir.file('list.txt'), '-c', '/nonexistent-dir/jar.txt'], /cannot write cookie jar \/nonexistent-dir\/jar.txt/],
    ['bad --select', [dir.file('list.txt'), '--select', 'x=[['], /--select x/],
  ];
  // Independent runs: start them together.
  const results = await Promise.all(cases.map(([, args]) => runCli([...args, '--progress', 'never'], { timeoutMs: 15_000 })));
  for (const [i, [name, , message]] of cases.entries()) {
    const r = results[i]!;
    assert.equal(r.code, 2, `${name}: exit code (stderr ${JSON.stringify(r.stderr)})`);
    assert.equal(lines(r.stderr).length, 1, `${name}: one stderr line, got ${JSON.stringify(r.stderr)}`);
    assert.match(r.stderr, /^crawl: /, name);
    assert.match(r.stderr, message, name);
    assert.doesNotMatch(r.stderr, STACK_LINE, `${name}: no stack trace`);
    assert.equal(r.stdout, '', `${name}: nothing on stdout`);
  }
});

test('--version prints the package version; --help exits 0 and shows examples', async () => {
  const pkg = JSON.parse(await readFile(new URL('package.json', `file://${repoRoot}`), 'utf8')) as { version: string };
  const v = await runCli(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), pkg.version);
  const short = await runCli(['-V']);
  assert.equal(short.stdout.trim(), pkg.version);

  const h = await runCli(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /^Usage: crawl /m);
  assert.match(h.stdout, /Examples:\n\s+crawl /);
  assert.match(h.stdout, /--per-host/);
  assert.equal(h.stderr, '');
});

test('`crawl LIST | head -1` ends long before the crawl could finish: one JSON line, nothing on stderr', { timeout: 20_000 }, async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  // 200 URLs at 4 per host and 100 ms each: a full crawl needs at least 5 s and 200 requests.
  const urls = Array.from({ length: 200 }, (_, i) => site.url('127.0.0.1', `/page/${i}?delay=100`));
  await writeFile(dir.file('list.txt'), urls.join('\n') + '\n');
  const cmd = `'${process.execPath}' '${binPath}' '${dir.file('list.txt')}' --per-host 4 --progress never | head -1`;
  const child = spawn('sh', ['-c', cmd], { env: { ...process.env, CI: 'true' } });
  t.after(() => { child.kill('SIGKILL'); });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const elapsed = performance.now() - started;

  assert.equal(code, 0);
  assert.equal(stderr, '', 'no EPIPE trace');
  assert.equal(lines(stdout).length, 1, stdout);
  assert.equal(parseNdjson(stdout)[0]?.ok, true);
  // The whole pipeline (sh waits for crawl too) was over while most URLs were never requested.
  assert.ok(site.stats.requests < 100, `${site.stats.requests} requests before exit`);
  assert.ok(elapsed < 4_000, `took ${Math.round(elapsed)} ms`);
});

test('-o FILE: records go to the file, nothing to stdout; --progress never leaves stderr without ANSI escapes', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  const urls = [site.url('127.0.0.1', '/page/1'), site.url('127.0.0.1', '/status/500'), 'nope'];
  const out = dir.file('out.ndjson');
  const r = await runCli(['-', '-o', out, '--retries', '0', '--progress', 'never', '--log-level', 'info'], { stdin: urls.join('\n') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.doesNotMatch(r.stderr, ANSI);
  const written = parseNdjson(await readFile(out, 'utf8'));
  assert.deepEqual(written.map((rec) => rec.url).sort(), [...urls].sort());
  assert.ok((await readFile(out, 'utf8')).endsWith('}\n'), 'the file ends with a complete line');

  // The same run with the live view forced on does draw with escapes, so the check above can fail.
  const drawn = await runCli(['-', '-o', dir.file('out2.ndjson'), '--progress', 'always'], { stdin: site.url('127.0.0.1', '/page/2?delay=300') });
  assert.equal(drawn.stdout, '');
  assert.match(drawn.stderr, ANSI);
});
