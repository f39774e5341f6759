// Issue 13, rows 15–18: -H/-A/-b values with CR/LF or control characters and headers the HTTP client
// forbids are usage errors (exit 2, one line naming the option, nothing sent); a bad line in a -b
// cookie file names the file and line, a file without cookie lines warns; -t past setTimeout's range
// is a usage error; --resume keys invalid lines by input and line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { startSite } from '../fixtures/site.js';
import { lines, runCli, tempDir } from './helpers/cli.js';

type Rec = Record<string, unknown>;

test('-H, -A, -b with CR, LF or control characters, and forbidden headers: exit 2, one line naming the option, nothing sent', async (t) => {
  const site = await startSite({ log: false });
  t.after(() => site.close());
  const cases: [string[], RegExp][] = [
    [['-H', 'X-A: a\r\nX-Injected: 1'], /--header must not contain CR, LF or other control characters/],
    [['-H', 'X-A: a\u0001b'], /--header must not contain CR, LF/],
    [['-A', 'crawl\nX-Injected: 1'], /--user-agent must not contain CR, LF/],
    [['-b', 'a=b\r\nX-Injected: 1'], /--cookie must not contain CR, LF/],
    [['-H', 'Transfer-Encoding: chunked'], /--header cannot set Transfer-Encoding/],
    [['-H', 'Expect: 100-continue'], /--header cannot set Expect/],
    [['-H', 'Connection: upgrade'], /--header cannot set Connection/],
    [['-H', 'Upgrade: websocket'], /--header cannot set Upgrade/],
  ];
  for (const [args, re] of cases) {
    const r = await runCli(['-', '--progress', 'never', ...args], { stdin: site.url('127.0.0.1', '/page/1') });
    assert.equal(r.code, 2, `${JSON.stringify(args)}: ${r.stderr}`);
    assert.match(r.stderr, re, JSON.stringify(args));
    assert.equal(lines(r.stderr).length, 1, `one line: ${JSON.stringify(r.stderr)}`);
    assert.doesNotMatch(r.stderr, /[\r\u0001]/, 'the control characters are not echoed');
    assert.equal(r.stdout, '');
  }
  assert.equal(site.stats.requests, 0, 'nothing was sent');
  const ok = await runCli(['-', '--progress', 'never', '-H', 'X-Fine: a\tb', '-A', 'crawl-test/1 (tab\tok)'], { stdin: site.url('127.0.0.1', '/page/1') });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.records[0]!.ok, true);
});

test('-b cookie file: a bad line is exit 2 naming the file and line; a file with no cookie lines warns in one line and the crawl goes on', async (t) => {
  const site = await startSite({ log: false });
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  const good = `127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc123`;
  const bad: [string, RegExp][] = [
    ['just some text', /line 3: not a cookie line: 7 tab-separated fields expected/],
    ['exa mple.com\tFALSE\t/\tFALSE\t0\tn\tv', /line 3: bad domain "exa mple.com"/],
    ['127.0.0.1\tMAYBE\t/\tFALSE\t0\tn\tv', /line 3: the subdomains field must be TRUE or FALSE/],
    ['127.0.0.1\tFALSE\tnoslash\tFALSE\t0\tn\tv', /line 3: the path must start with "\/"/],
    ['127.0.0.1\tFALSE\t/\tFALSE\tsoon\tn\tv', /line 3: the expiry must be a number of seconds/],
    ['127.0.0.1\tFALSE\t/\tFALSE\t0\tn\tv\u0001x', /line 3: the value of n has a control character/],
  ];
  for (const [line, re] of bad) {
    const file = dir.file('bad.txt');
    await writeFile(file, `# Netscape HTTP Cookie File\n${good}\n${line}\n`);
    const r = await runCli(['-', '--progress', 'never', '-b', file], { stdin: site.url('127.0.0.1', '/cookie/need') });
    assert.equal(r.code, 2, `${line}: ${r.stderr}`);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.ok(r.stderr.startsWith(`crawl: cookie file ${file} line 3: `), r.stderr);
    assert.match(r.stderr, re);
  }
  assert.equal(site.stats.requests, 0, 'nothing was sent');

  const empty = dir.file('empty.txt');
  await writeFile(empty, '# Netscape HTTP Cookie File\n# nothing here\n\n');
  const w = await runCli(['-', '--progress', 'never', '-b', empty], { stdin: site.url('127.0.0.1', '/page/1') });
  assert.equal(w.code, 0, w.stderr);
  assert.deepEqual(lines(w.stderr), [`crawl: warning: cookie file ${empty} has no cookie lines (Netscape format: 7 tab-separated fields)`]);
  assert.equal(w.records[0]!.ok, true);

  const fine = dir.file('fine.txt');
  await writeFile(fine, `# Netscape HTTP Cookie File\n\n#HttpOnly_${good}\n`);
  const f = await runCli(['-', '--progress', 'never', '-b', fine], { stdin: site.url('127.0.0.1', '/cookie/need') });
  assert.equal(f.code, 0, f.stderr);
  assert.equal(f.stderr, '');
  assert.equal(f.records[0]!.title, 'Welcome');
});

test('-t above 2,147,483,647 ms is a usage error naming the range; the largest value works', async (t) => {
  const site = await startSite({ log: false });
  t.after(() => site.close());
  const r = await runCli(['-', '-t', '2147483648'], { stdin: site.url('127.0.0.1', '/page/1') });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--timeout must be an integer from 1 to 2147483647, got "2147483648"/);
  assert.equal(site.stats.requests, 0);
  const ok = await runCli(['-', '--progress', 'never', '-t', '2147483647'], { stdin: site.url('127.0.0.1', '/page/1') });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.records[0]!.ok, true, JSON.stringify(ok.records[0]));
});

test('--resume with several inputs keys invalid lines by input and line: file B\'s invalid line 2 gets its record', async (t) => {
  const site = await startSite({ log: false });
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  const a = dir.file('a.txt');
  const b = dir.file('b.txt');
  const out = dir.file('out.ndjson');
  await writeFile(a, `${site.url('127.0.0.1', '/page/1')}\nnot-a-url-a\n`);
  await writeFile(b, `${site.url('127.0.0.1', '/page/2')}\nnot-a-url-b\n`);
  const first = await runCli([a, '--progress', 'never', '-o', out]);
  assert.equal(first.code, 0, first.stderr);
  const invalidA = (await readFile(out, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec).find((rec) => rec.line === 2)!;
  assert.equal(invalidA.input, a, 'an EINVALIDURL record names its input');

  const second = await runCli([a, b, '--progress', 'never', '-o', out, '--resume']);
  assert.equal(second.code, 0, second.stderr);
  const all = (await readFile(out, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
  assert.equal(all.length, 4, JSON.stringify(all));
  const invalid = all.filter((rec) => (rec.error as Rec | undefined)?.code === 'EINVALIDURL').map((rec) => [rec.input, rec.line, rec.url]);
  assert.deepEqual(invalid, [[a, 2, 'not-a-url-a'], [b, 2, 'not-a-url-b']]);

  const third = await runCli([a, b, '--progress', 'never', '-o', out, '--resume']);
  assert.equal(third.code, 0, third.stderr);
  assert.equal((await readFile(out, 'utf8')).split('\n').filter(Boolean).length, 4, 'nothing new the third time');
});
