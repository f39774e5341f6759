// Secrets never reach log lines or messages (issue 14, row 7): URL passwords and the values of
// Authorization, Proxy-Authorization, Cookie and Set-Cookie are [redacted] in every log line (stderr
// or --log-file) and error message, at every level. Records keep the URL the user gave.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { startSite, type FixtureSite } from '../fixtures/site.js';
import { runCli, tempDir } from './helpers/cli.js';
import { closedPort } from './helpers/resilience.js';

let site: FixtureSite;
let dir: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  site = await startSite({ hosts: ['127.0.0.1'], log: false });
  dir = await tempDir('crawl-safety-secrets-');
});

after(async () => {
  await site.close();
  await dir.cleanup();
});

const SECRETS = ['pw-in-url', 'hdr-auth-secret', 'proxy-auth-secret', 'cookie-secret', 'abc123'];

function assertClean(text: string, where: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${where} leaks ${s}:\n${text.split('\n').filter((l) => l.includes(s)).join('\n')}`);
}

test('--log-level trace with credentials in URLs and secret headers: no secret in stderr logs or the log file', async () => {
  const dead = await closedPort(['127.0.0.1']);
  const urls = [
    `http://user:pw-in-url@127.0.0.1:${dead}/refused`,
    site.url('127.0.0.1', '/status/500').replace('http://', 'http://user:pw-in-url@'),
    site.url('127.0.0.1', '/cookie/set'),
    site.url('127.0.0.1', '/redirect/1').replace('http://', 'http://user:pw-in-url@'),
  ];
  const args = ['--progress', 'never', '--retries', '1', '--log-level', 'trace', '-H', 'Authorization: Bearer hdr-auth-secret', '-H', 'Proxy-Authorization: Basic proxy-auth-secret', '-b', 'c=cookie-secret', '-'];
  const r = await runCli(args, { stdin: urls.join('\n') + '\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, urls.length);
  assert.match(r.stderr, /"level":\d+/, 'there are log lines to check');
  assert.match(r.stderr, /user:\[redacted\]@/, 'the user name stays, the password is replaced');
  assertClean(r.stderr, 'stderr');
  const logFile = dir.file('trace.log');
  const f = await runCli([...args.slice(0, -1), '--log-file', logFile, '-'], { stdin: urls.join('\n') + '\n' });
  assert.equal(f.code, 0, f.stderr);
  const logged = await readFile(logFile, 'utf8');
  assert.match(logged, /"level":\d+/);
  assertClean(logged, 'the log file');
  assertClean(f.stderr, 'stderr');
});

test('a record\'s error message carries no URL password (a redirect loop names the URL it loops at)', async () => {
  const url = site.url('127.0.0.1', '/redirect/loop').replace('http://', 'http://user:pw-in-url@');
  const r = await runCli(['--progress', 'never', '-'], { stdin: `${url}\n` });
  assert.equal(r.records.length, 1);
  const error = r.records[0]!.error as { code: string; message: string };
  assert.equal(error.code, 'EREDIRECT');
  assert.match(error.message, /redirect loop at http:\/\/user:\[redacted\]@127\.0\.0\.1/);
  assert.equal(r.records[0]!.url, url, 'the record keeps the URL as the user gave it');
});
