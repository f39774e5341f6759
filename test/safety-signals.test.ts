// Finishing what was started (issue 14, row 6 and "Finishing"): SIGHUP (the terminal closed) is
// handled like SIGTERM, with complete lines, the jar saved, the summary and exit 129; after an
// interruption with -o one line says how to finish; --resume says what it found; --retry-failed
// drops the ok:false records from the file and fetches those URLs again.
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { startSite, type FixtureSite } from '../fixtures/site.js';
import { spawn, spawnSync } from 'node:child_process';
import { binPath, lines, parseNdjson, repoRoot, runCli, startCli, tempDir } from './helpers/cli.js';
import { childEnv, killIfRunning, waitUntil, writeList } from './helpers/resilience.js';

let site: FixtureSite;
let dir: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'], log: false });
  dir = await tempDir('crawl-safety-signals-');
});

after(async () => {
  await site.close();
  await dir.cleanup();
});

const QUIET = ['--progress', 'never'];

/** Runs a command to its end (30 s at most, then SIGKILL by PID); its status and output. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(guard);
      resolve({ status, stdout, stderr });
    });
  });
}

function countLines(text: string): number {
  return text.split('\n').length - 1;
}

for (const [signal, code] of [['SIGHUP', 129], ['SIGTERM', 143], ['SIGINT', 130]] as const) {
  test(`${signal} with -o and -c: exit ${code}, complete lines, jar saved, summary, one line on how to finish`, async (t) => {
    const tag = signal.toLowerCase();
    const urls = [site.url('127.0.0.1', `/cookie/set?run=${tag}`), ...Array.from({ length: 40 }, (_, i) => site.url(i % 2 ? '127.0.0.2' : '127.0.0.1', `/page/${i}?delay=300&run=${tag}`))];
    const list = await writeList(dir.file(`${tag}.txt`), urls);
    const out = dir.file(`${tag}.ndjson`);
    const jar = dir.file(`${tag}.jar`);
    const { child, result } = startCli([...QUIET, '--log-level', 'info', '--limit', '2', '-o', out, '-c', jar, list]);
    t.after(() => killIfRunning(child));
    await waitUntil('3 records in the file', async () => countLines(await readFile(out, 'utf8').catch(() => '')) >= 3);
    child.kill(signal);
    const r = await result;
    if (signal === 'SIGHUP') {
      // It ends by SIGHUP itself once all is saved (Node can crash exiting normally after a hang-up):
      // a shell reports that as 129.
      assert.equal(r.signal, 'SIGHUP', `exit ${r.code} ${r.signal ?? ''}: ${r.stderr}`);
    } else {
      assert.equal(r.code, code, `exit ${r.code} ${r.signal ?? ''}: ${r.stderr}`);
    }
    const text = await readFile(out, 'utf8');
    assert.ok(text.endsWith('\n'));
    const recs = parseNdjson(text);
    assert.ok(recs.length >= 3 && recs.length < urls.length, `${recs.length} records`);
    assert.match(await readFile(jar, 'utf8'), /\tsession\tabc123$/m, 'the jar was saved');
    const plain = lines(r.stderr).filter((l) => !l.startsWith('{'));
    assert.ok(plain.some((l) => /^crawl: \d+ URLs in .* · interrupted$/.test(l)), `a summary:\n${r.stderr}`);
    const how = plain.filter((l) => l.startsWith('interrupted:'));
    assert.equal(how.length, 1, r.stderr);
    const m = /^interrupted: (\d+) of (\d+) done; run the same command with --resume to finish$/.exec(how[0]!);
    assert.ok(m, how[0]);
    assert.equal(Number(m[1]), recs.length, 'N is the records in the file');
    assert.ok(Number(m[2]) >= recs.length && Number(m[2]) <= urls.length, `M ${m[2]} is the URLs read`);

    const again = await runCli([...QUIET, '--resume', '-o', out, list]);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(lines(again.stderr).includes(`resuming: ${recs.length} URLs already in ${out}`), again.stderr);
    assert.equal(parseNdjson(await readFile(out, 'utf8')).length, urls.length);
  });
}

test('--retry-failed removes the ok:false records from the file and fetches those URLs again; the ok ones are not fetched', async () => {
  const ok = Array.from({ length: 6 }, (_, i) => site.url('127.0.0.1', `/page/${i}?run=retry-failed`));
  const flaky = Array.from({ length: 3 }, (_, i) => site.url('127.0.0.2', `/flaky/rf${i}?fail=1`));
  const urls = [...ok, ...flaky];
  // An invalid line fails the same way every time: its record stays, it is not "fetched again".
  const list = await writeList(dir.file('retry-failed.txt'), [...urls, 'not a url']);
  const out = dir.file('retry-failed.ndjson');
  const first = await runCli([...QUIET, '--retries', '0', '-o', out, list]);
  assert.equal(first.code, 0, first.stderr);
  const before = parseNdjson(await readFile(out, 'utf8'));
  assert.equal(before.filter((x) => x.ok === false).length, 4, 'the flaky URLs failed once, and the invalid line');

  const requestsBefore = site.stats.requests; // not resetStats(): that also forgets the flaky routes' counts
  const again = await runCli([...QUIET, '--retries', '0', '--retry-failed', '-o', out, list]);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(lines(again.stderr).includes(`resuming: 7 URLs already in ${out}; fetching 3 failed ones again`), again.stderr);
  const all = parseNdjson(await readFile(out, 'utf8'));
  assert.equal(all.length, urls.length + 1, 'one record per line');
  assert.equal(all.filter((x) => (x.error as { code?: string } | undefined)?.code === 'EINVALIDURL').length, 1, 'the invalid line\'s record kept once');
  const recs = all.filter((x) => x.url !== 'not a url');
  assert.ok(recs.every((x) => x.ok === true), 'the failed ones were fetched again and are ok now');
  assert.deepEqual(new Set(recs.map((x) => x.url)), new Set(urls));
  assert.equal(site.stats.requests - requestsBefore, 3, 'only the failed URLs were requested');
  assert.deepEqual((await readdir(dir.path)).filter((f) => f.endsWith('.tmp')), [], 'no temp file left');
});

test('the terminal really closes (a pty hung up under a running crawl with the live view): no crash, jar saved, complete lines, ended by SIGHUP; in a shell $? is 129', async (t) => {
  if (spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status !== 0) {
    t.skip('python3 (for a pseudo-terminal) not installed');
    return;
  }
  const urls = [site.url('127.0.0.1', '/cookie/set?run=pty'), ...Array.from({ length: 40 }, (_, i) => site.url('127.0.0.1', `/page/${i}?delay=300&run=pty`))];
  const list = await writeList(dir.file('pty.txt'), urls);
  const out = dir.file('pty.ndjson');
  const jar = dir.file('pty.jar');
  const env = { ...childEnv(), CI: '' };
  // Asynchronous: the fixture site runs in this process and must go on answering.
  const hang = await run('python3', [`${repoRoot}test/helpers/hangup.py`, out, '4', '20', process.execPath, binPath, '--limit', '2', '--progress', 'always', '-o', out, '-c', jar, list], env);
  assert.equal(hang.status, 0, hang.stderr);
  assert.equal(hang.stdout.trim(), 'signal SIGHUP', 'ended by the hang-up, not by SIGSEGV/SIGABRT nor by running to the end');
  const text = await readFile(out, 'utf8');
  assert.ok(text.endsWith('\n'), `complete lines: ${JSON.stringify(text.slice(-200))}`);
  const recs = parseNdjson(text);
  assert.ok(recs.length >= 4 && recs.length < urls.length, `${recs.length} records`);
  assert.match(await readFile(jar, 'utf8'), /\tsession\tabc123$/m, 'the jar was saved');

  const shell = await run('sh', ['-c', `'${process.execPath}' '${binPath}' --progress never --limit 2 -o '${dir.file('pty2.ndjson')}' '${list}' & p=$!; while [ ! -s '${dir.file('pty2.ndjson')}' ]; do sleep 0.05; done; kill -HUP $p; wait $p; echo "status $?"`], childEnv());
  assert.match(shell.stdout, /^status 129$/m, shell.stderr);
});
