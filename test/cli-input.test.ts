// Input handling end to end: trimming, comments, CRLF, BOM, invalid lines as EINVALIDURL records with their
// line, de-duplication after normalization, stdin and several inputs in order; the record's field rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { startSite } from '../fixtures/site.js';
import { runCli, tempDir } from './helpers/cli.js';
import { closedPort } from './helpers/resilience.js';

type Rec = Record<string, unknown>;

const KEY_ORDER = ['url', 'ok', 'status', 'finalUrl', 'redirects', 'ip', 'contentType', 'bytes', 'title', 'truncated', 'fields', 'links', 'attempts', 'ms', 'error', 'line', 'input'];
const ALWAYS = ['url', 'ok', 'status', 'finalUrl', 'redirects'];
const RESPONSE_KEYS = ['contentType', 'bytes', 'title'];

/** The record contract: the first five fields always; response fields whenever a response came; error exactly when not ok. */
function checkShape(rec: Rec): void {
  const keys = Object.keys(rec);
  const what = JSON.stringify(rec);
  for (const k of ALWAYS) assert.ok(keys.includes(k), `${k} is always present: ${what}`);
  assert.equal(typeof rec.redirects, 'number', what);
  // finalUrl is null only for a line that was never fetched (EINVALIDURL).
  assert.equal(rec.finalUrl === null, (rec.error as Rec | undefined)?.code === 'EINVALIDURL', `finalUrl null exactly for invalid lines: ${what}`);
  assert.equal(typeof rec.url, 'string');
  assert.equal(typeof rec.ok, 'boolean');
  assert.ok(rec.status === null || typeof rec.status === 'number', what);
  for (const k of keys) assert.ok(KEY_ORDER.includes(k), `unknown key ${k}: ${what}`);
  const positions = keys.map((k) => KEY_ORDER.indexOf(k));
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b), `keys in contract order: ${what}`);
  for (const k of RESPONSE_KEYS) assert.equal(keys.includes(k), rec.status !== null, `${k} present exactly when a response came: ${what}`);
  assert.equal('error' in rec, rec.ok === false, `error exactly when ok is false: ${what}`);
  if (rec.ok === false) {
    const err = rec.error as Rec;
    assert.equal(typeof err.code, 'string');
    assert.equal(typeof err.message, 'string');
  }
  if (rec.ok === true) assert.ok((rec.status as number) >= 200 && (rec.status as number) < 300, what);
  for (const [k, v] of Object.entries(rec)) {
    if (k !== 'status' && k !== 'title' && k !== 'contentType' && k !== 'finalUrl') assert.notEqual(v, null, `${k} is never null-filled: ${what}`);
  }
}

test('input: BOM, CRLF, blanks, comments and spaces are skipped or trimmed; bad lines are EINVALIDURL with their line; repeats fetched once', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'] });
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  const a = site.url('127.0.0.1', '/page/1');
  const b = site.url('127.0.0.1', '/page/2');
  const c = site.url('127.0.0.1', '/page/3');
  const input = [
    `\uFEFF  ${a}  `, //            1: BOM, spaces
    '', //                          2
    '# a comment', //               3
    '   # an indented comment', //  4
    'ftp://x', //                   5 → EINVALIDURL
    'not a url', //                 6 → EINVALIDURL
    b, //                           7
    '   ', //                       8
    'http//missing-colon', //       9 → EINVALIDURL
    `${a}#fragment`, //             10 repeat
    `HTTP://127.0.0.1:${site.port}/page/1`, // 11 repeat (scheme case)
    `\t${c}\t`, //                  12
    b, //                           13 repeat
  ].join('\r\n') + '\r\n';
  await writeFile(dir.file('list.txt'), input);

  const r = await runCli([dir.file('list.txt'), '--progress', 'never']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 6, r.stdout);
  r.records.forEach(checkShape);

  const fetched = r.records.filter((rec) => rec.ok === true).map((rec) => rec.url).sort();
  assert.deepEqual(fetched, [a, b, c].sort(), 'the URLs as normalized, trimmed, BOM and CR gone');
  const invalid = r.records.filter((rec) => (rec.error as Rec | undefined)?.code === 'EINVALIDURL');
  assert.deepEqual(invalid.map((rec) => [rec.url, rec.line]).sort((x, y) => (x[1] as number) - (y[1] as number)),
    [['ftp://x', 5], ['not a url', 6], ['http//missing-colon', 9]]);
  for (const rec of invalid) {
    assert.equal(rec.status, null);
    assert.match(String((rec.error as Rec).message), new RegExp(`^line ${String(rec.line)}\\b`));
  }
  const paths = site.stats.log.map((e) => e.path).sort();
  assert.deepEqual(paths, ['/page/1', '/page/2', '/page/3'], 'each URL requested once');
});

test('input: stdin via "-" and via no argument at all', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  t.after(() => site.close());
  const list = [site.url('127.0.0.1', '/page/7'), site.url('127.0.0.1', '/about')].join('\n');
  for (const args of [['-'], []]) {
    const r = await runCli([...args, '--progress', 'never'], { stdin: list });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.records.map((rec) => rec.title).sort(), ['About', 'Page 7'], `args ${JSON.stringify(args)}`);
  }
});

test('input: several inputs (file, stdin, file) are read in order, line numbers count per input', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'] });
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  const u = (n: number): string => site.url('127.0.0.1', `/page/${n}`);
  await writeFile(dir.file('one.txt'), `${u(1)}\n${u(2)}\nbad one\n`);
  await writeFile(dir.file('two.txt'), `bad two\n${u(5)}\n${u(1)}\n${u(6)}\n`);
  const r = await runCli([dir.file('one.txt'), '-', dir.file('two.txt'), '--limit', '1', '--progress', 'never'], { stdin: `# from stdin\n${u(3)}\n${u(4)}\n` });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 8);
  // With one request at a time the server sees the inputs' order.
  assert.deepEqual(site.stats.log.map((e) => e.path), ['/page/1', '/page/2', '/page/3', '/page/4', '/page/5', '/page/6']);
  const bad = r.records.filter((rec) => rec.ok === false).map((rec) => [rec.url, rec.line]);
  assert.deepEqual(bad, [['bad one', 3], ['bad two', 1]]);
});

test('record: fields present per the contract for ok pages, HTTP errors, refused connections, bad bodies and invalid lines', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  t.after(() => site.close());
  const refused = `http://127.0.0.3:${await closedPort(['127.0.0.3'])}/`;
  const list = [
    site.url('127.0.0.1', '/page/1'),
    site.url('127.0.0.1', '/status/404'),
    site.url('127.0.0.1', '/status/204'),
    site.url('127.0.0.1', '/image.png'),
    site.url('127.0.0.1', '/bad-gzip'),
    site.url('127.0.0.1', '/redirect/loop'),
    refused,
    'mailto:x@y',
  ];
  const r = await runCli(['-', '--retries', '0', '--progress', 'never'], { stdin: list.join('\n') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, list.length);
  r.records.forEach(checkShape);
  const codes = Object.fromEntries(r.records.map((rec) => [rec.url, (rec.error as Rec | undefined)?.code ?? 'ok']));
  assert.deepEqual(codes, {
    [list[0]!]: 'ok',
    [list[1]!]: 'EHTTP',
    [list[2]!]: 'ok',
    [list[3]!]: 'ok',
    [list[4]!]: 'EBODY',
    [list[5]!]: 'EREDIRECT',
    [refused]: 'ECONNREFUSED',
    'mailto:x@y': 'EINVALIDURL',
  });
  const notFound = r.records.find((rec) => rec.url === list[1])!;
  assert.equal(notFound.status, 404);
  assert.equal(notFound.title, 'Status 404', 'an HTTP error still carries its response fields');
  const ok = r.records.find((rec) => rec.url === list[0])!;
  assert.equal(ok.attempts, 1);
  assert.equal(typeof ok.ms, 'number');
});

test('a URL with credentials, a query and a port is requested with the right path and query; the record keeps the URL as normalized', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'] });
  t.after(() => site.close());
  const withUser = site.url('127.0.0.1', '/page/7?x=1&y=%20').replace('http://', 'http://user:pw@');
  const plain = site.url('127.0.0.1', '/page/8?q');
  const r = await runCli(['-', '--progress', 'never'], { stdin: `${withUser}\n${plain}\n` });
  assert.equal(r.code, 0, r.stderr);
  const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);
  assert.deepEqual(recs.map((x) => [x.url, x.ok, x.title]).sort(), [
    [plain, true, 'Page 8'],
    [withUser, true, 'Page 7'],
  ]);
  assert.deepEqual(site.stats.log.map((e) => e.path).sort(), ['/page/7?x=1&y=%20', '/page/8?q']);
});
