// Never lose what the user has (issue 14, rows 1–4): -o naming an input file, the log file or the
// jar is refused before anything is opened for writing; a write error on stdout or -o stops the
// crawl with one line and exit 2 (the jar still saved, --resume then finishes), a closed pipe stays
// quiet; a log file that cannot be written stops logging, never records; one writer per -o file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { link, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, openSync, closeSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startSite, type FixtureSite } from '../fixtures/site.js';
import { binPath, lines, parseNdjson, repoRoot, runCli, startCli, tempDir } from './helpers/cli.js';
import { closedPort, childEnv, exited, killIfRunning, waitUntil, writeList } from './helpers/resilience.js';
import { smallDisk } from './helpers/disk.js';

let site: FixtureSite;
let dir: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'], log: false });
  dir = await tempDir('crawl-safety-output-');
});

after(async () => {
  await site.close();
  await dir.cleanup();
});

const QUIET = ['--progress', 'never'];

function pages(n: number, tag: string, delay = 0): string[] {
  return Array.from({ length: n }, (_, i) => site.url(i % 2 ? '127.0.0.2' : '127.0.0.1', `/page/${i + 1}?run=${tag}${delay ? `&delay=${delay}` : ''}`));
}

/** The `crawl:` lines of a stderr text. */
function crawlLines(stderr: string): string[] {
  return lines(stderr).filter((l) => l.startsWith('crawl: '));
}

/** Runs `args`, expects exit 2 with one stderr line matching `message`, no request sent, `input` byte-identical. */
async function refused(args: string[], input: string, message: RegExp): Promise<void> {
  const before = await readFile(input);
  site.resetStats();
  const r = await runCli([...QUIET, ...args]);
  assert.equal(r.code, 2, `exit ${r.code}; stderr: ${r.stderr}`);
  assert.equal(lines(r.stderr).length, 1, `one stderr line: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.equal(site.stats.requests, 0, 'nothing was crawled');
  assert.deepEqual(await readFile(input), before, `${input} is untouched`);
}

test('-o naming the input file (by its name, a symlink, a hard link, with --resume) exits 2 and leaves the URL list whole', async () => {
  const list = await writeList(dir.file('same.txt'), pages(3, 'same'));
  await symlink(list, dir.file('same-link.ndjson'));
  await link(list, dir.file('same-hard.ndjson'));
  const clash = /^crawl: -o .* is the same file as input .*same\.txt/;
  await refused(['-o', list, list], list, clash);
  await refused(['-o', dir.file('same-link.ndjson'), list], list, clash);
  await refused(['-o', dir.file('same-hard.ndjson'), list], list, clash);
  await refused(['--resume', '-o', dir.file('same-link.ndjson'), list], list, clash);
  // Through a differently spelled path to the same file.
  await refused(['-o', `${dir.path}/./same.txt`, `${dir.path}/../${dir.path.split('/').pop()}/same.txt`], list, clash);
});

test('the shell\'s redirections count too: `crawl -o list < list` and `crawl list >> list` exit 2 and leave the list whole', async () => {
  const list = await writeList(dir.file('redirect.txt'), pages(2, 'redirect'));
  const before = await readFile(list);
  for (const [args, stdio] of [[['-o', list], 'stdin'], [[list], 'stdout']] as const) {
    const fd = openSync(list, stdio === 'stdin' ? 'r' : 'a');
    const child = spawn(process.execPath, [binPath, ...QUIET, ...args], { cwd: repoRoot, env: childEnv(), stdio: stdio === 'stdin' ? [fd, 'pipe', 'pipe'] : ['ignore', fd, 'pipe'] });
    closeSync(fd);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const guard = setTimeout(() => killIfRunning(child), 20_000);
    const e = await exited(child);
    clearTimeout(guard);
    assert.equal(e.code, 2, `${stdio}: exit ${e.code}; ${stderr}`);
    assert.match(stderr, stdio === 'stdin' ? /^crawl: -o .*redirect\.txt is the same file as stdin/ : /^crawl: stdout is the same file as input .*redirect\.txt/);
    assert.deepEqual(await readFile(list), before, 'the list is untouched');
  }
});

test('-o equal to --log-file or to -c (also not yet existing, by two spellings) exits 2; -b jar -c jar stays allowed', async () => {
  const list = await writeList(dir.file('roles.txt'), pages(2, 'roles'));
  await refused(['-o', dir.file('both.log'), '--log-file', `${dir.path}/./both.log`, list], list, /^crawl: -o .*both\.log is the same file as --log-file/);
  assert.equal(existsSync(dir.file('both.log')), false, 'the clash is found before the file is created');
  await refused(['-o', dir.file('jar.txt'), '-c', dir.file('jar.txt'), list], list, /^crawl: -o .*jar\.txt is the same file as -c/);
  await refused(['--log-file', list, list], list, /^crawl: --log-file .* is the same file as input/);
  const pem = dir.file('ca.pem');
  await writeFile(pem, '-----BEGIN CERTIFICATE-----\n');
  await refused(['-o', pem, '--cacert', pem, list], pem, /^crawl: -o .*ca\.pem is the same file as --cacert /);

  // curl's idiom: read the jar, write it back. Not a clash.
  await writeFile(dir.file('cookies.txt'), '# Netscape HTTP Cookie File\n');
  const r = await runCli([...QUIET, '-b', dir.file('cookies.txt'), '-c', dir.file('cookies.txt'), list]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 2);
});

test('stdout on a full device (/dev/full): the crawl stops, one line "cannot write stdout: no space left on device", exit 2, jar saved', async () => {
  const urls = [site.url('127.0.0.1', '/cookie/set'), ...pages(40, 'full-stdout', 200)];
  const list = await writeList(dir.file('full-stdout.txt'), urls);
  const jar = dir.file('full-stdout.jar');
  site.resetStats();
  const full = openSync('/dev/full', 'w');
  const child = spawn(process.execPath, [binPath, ...QUIET, '--limit', '1', '-c', jar, list], { cwd: repoRoot, env: childEnv(), stdio: ['ignore', full, 'pipe'] });
  closeSync(full);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const guard = setTimeout(() => killIfRunning(child), 20_000);
  try {
    const e = await exited(child);
    assert.equal(e.code, 2, `exit ${e.code} ${e.signal ?? ''}; stderr: ${stderr}`);
    assert.deepEqual(crawlLines(stderr), ['crawl: cannot write stdout: no space left on device']);
    assert.ok(site.stats.requests < 20, `the crawl stopped: ${site.stats.requests} of ${urls.length} URLs requested`);
    assert.match(await readFile(jar, 'utf8'), /\tsession\tabc123$/m, 'the jar was saved');
  } finally {
    clearTimeout(guard);
    killIfRunning(child);
  }
});

test('stdout opened read-only (EBADF on write): one line "cannot write stdout: …", exit 2', async () => {
  const list = await writeList(dir.file('ebadf.txt'), pages(3, 'ebadf'));
  await writeFile(dir.file('ebadf.out'), '');
  const ro = openSync(dir.file('ebadf.out'), 'r');
  const child = spawn(process.execPath, [binPath, ...QUIET, list], { cwd: repoRoot, env: childEnv(), stdio: ['ignore', ro, 'pipe'] });
  closeSync(ro);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const guard = setTimeout(() => killIfRunning(child), 20_000);
  try {
    const e = await exited(child);
    assert.equal(e.code, 2, `exit ${e.code}; stderr: ${stderr}`);
    assert.deepEqual(crawlLines(stderr), ['crawl: cannot write stdout: bad file descriptor']);
  } finally {
    clearTimeout(guard);
    killIfRunning(child);
  }
});

test('`crawl … | head -1` (EPIPE) stays quiet and exits 0 (pipefail)', async (t) => {
  const list = await writeList(dir.file('epipe.txt'), pages(60, 'epipe', 50));
  const child = spawn('bash', ['-c', `set -o pipefail; '${process.execPath}' '${binPath}' --progress never '${list}' | head -1`], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => killIfRunning(child));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const e = await exited(child);
  assert.equal(e.code, 0, stderr);
  assert.equal(stderr, '');
  assert.equal(parseNdjson(stdout).length, 1);
});

test('-o on a disk that fills up: the crawl stops, one line, exit 2, jar saved; --resume then finishes with one record per URL', async (t) => {
  const disk = await smallDisk();
  t.after(() => disk?.cleanup());
  const urls = [site.url('127.0.0.1', '/cookie/set'), ...pages(80, 'full-o', 100)];
  const list = await writeList(dir.file('full-o.txt'), urls);
  const jar = dir.file('full-o.jar');
  const out = disk ? disk.file('out.ndjson') : '/dev/full';
  if (disk) await disk.fill(8 * 1024);
  else t.diagnostic('not root: -o /dev/full, no resume part');
  site.resetStats();
  const r = await runCli([...QUIET, '--limit', '2', '-c', jar, '-o', out, list]);
  assert.equal(r.code, 2, `exit ${r.code}; stderr: ${r.stderr}`);
  assert.deepEqual(crawlLines(r.stderr), [`crawl: cannot write ${out}: no space left on device`]);
  assert.ok(site.stats.requests < urls.length, `the crawl stopped: ${site.stats.requests} of ${urls.length} URLs requested`);
  assert.match(await readFile(jar, 'utf8'), /\tsession\tabc123$/m, 'the jar was saved');
  if (!disk) return;

  await disk.release();
  const before = (await readFile(out, 'utf8')).split('\n').length - 1;
  t.diagnostic(`${before} complete lines fitted before the disk was full`);
  const again = await runCli([...QUIET, '--limit', '4', '--resume', '-o', out, list]);
  assert.equal(again.code, 0, again.stderr);
  const recs = parseNdjson(await readFile(out, 'utf8'));
  assert.equal(recs.length, urls.length, 'one record per URL');
  assert.deepEqual(new Set(recs.map((x) => x.url)), new Set(urls));
});

test('a log file that cannot be written (full disk): logging stops with one stderr line, every record is still written', async (t) => {
  const disk = await smallDisk();
  t.after(() => disk?.cleanup());
  const dead = await closedPort(['127.0.0.1']);
  const urls = Array.from({ length: 150 }, (_, i) => (i % 2 ? `http://127.0.0.1:${dead}/x${i}` : site.url('127.0.0.1', `/page/${i}?run=log-full`)));
  const list = await writeList(dir.file('log-full.txt'), urls);
  const log = disk ? disk.file('crawl.log') : '/dev/full';
  if (disk) await disk.fill(4 * 1024);
  const r = await runCli([...QUIET, '--retries', '0', '--log-level', 'debug', '--log-file', log, list]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, urls.length, 'one record per URL');
  assert.equal(r.records.filter((x) => x.ok === false).length, 75);
  // --log-level debug also prints the plain summary; apart from it, one line.
  assert.deepEqual(crawlLines(r.stderr).filter((l) => !/^crawl: \d+ URLs in /.test(l)), [`crawl: cannot write log file ${log}: no space left on device; logging stopped, the crawl goes on`]);
});

test('two crawls on one -o: the second exits 2 naming the first one\'s pid and leaves the file alone; a lock left by a killed crawl does not block', async (t) => {
  const out = dir.file('locked.ndjson');
  const listA = await writeList(dir.file('lock-a.txt'), pages(20, 'lock-a', 200));
  const listB = await writeList(dir.file('lock-b.txt'), pages(5, 'lock-b'));
  const a = startCli([...QUIET, '--limit', '2', '-o', out, listA]);
  t.after(() => killIfRunning(a.child));
  await waitUntil('a record from the first crawl', async () => (await readFile(out, 'utf8').catch(() => '')).includes('\n'));
  const b = await runCli([...QUIET, '-o', out, listB]);
  assert.equal(b.code, 2, b.stderr);
  assert.deepEqual(crawlLines(b.stderr), [`crawl: ${out} is being written by another crawl (pid ${a.child.pid})`]);
  const b2 = await runCli([...QUIET, '--resume', '-o', out, listB]);
  assert.equal(b2.code, 2, b2.stderr);
  const ra = await a.result;
  assert.equal(ra.code, 0, ra.stderr);
  const recs = parseNdjson(await readFile(out, 'utf8'));
  assert.equal(recs.length, 20, 'the first crawl\'s records, whole, and nothing of the second');
  assert.ok(recs.every((x) => String(x.url).includes('lock-a')));

  // A crawl killed with SIGKILL cannot remove its lock; the next run sees its pid is gone and goes on.
  await rm(out);
  const k = startCli([...QUIET, '--limit', '1', '-o', out, listA]);
  await waitUntil('the killed crawl wrote a record', async () => (await readFile(out, 'utf8').catch(() => '')).includes('\n'));
  k.child.kill('SIGKILL');
  await k.result;
  assert.ok((await readdir(dir.path)).some((f) => f.startsWith('locked.ndjson.lock')), 'the killed crawl left its lock behind');
  const c = await runCli([...QUIET, '-o', out, listB]);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(parseNdjson(await readFile(out, 'utf8')).length, 5);
  assert.equal(existsSync(`${out}.lock`), false, 'the lock is removed at the end');
});
