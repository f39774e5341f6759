// Unit tests for issue 14's small modules: redaction, the output lock, atomic replacement, and the
// same-file check.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { redact } from '../src/redact.js';
import { LockedError, lockOutput } from '../src/output/lock.js';
import { replaceFile, writeFileAtomic } from '../src/atomic.js';
import { findClash } from '../src/output/same-file.js';
import { tempDir } from './helpers/cli.js';

test('redact: URL passwords and secret header values in JSON and in words; the rest untouched', () => {
  assert.equal(redact('{"url":"http://u:pw@h/a?x=1"}'), '{"url":"http://u:[redacted]@h/a?x=1"}');
  assert.equal(redact('go https://me:p%40ss@host:8080/x now'), 'go https://me:[redacted]@host:8080/x now');
  assert.equal(
    redact('{"headers":{"Authorization":"Basic dTpw","cookie":"a=\\"b\\"","set-cookie":["x=1","y=2"],"accept":"*/*"}}'),
    '{"headers":{"Authorization":"[redacted]","cookie":"[redacted]","set-cookie":["[redacted]"],"accept":"*/*"}}',
  );
  assert.equal(redact('{"msg":"sent Proxy-Authorization: Basic zz","level":30}'), '{"msg":"sent Proxy-Authorization: [redacted]","level":30}');
  assert.equal(redact('Set-Cookie: sid=1; Path=/'), 'Set-Cookie: [redacted]');
  for (const clean of ['http://user@host/a', 'mail user@example.com', 'http://h/a@b', '{"url":"http://h/p:q@r"}', 'no secrets here']) {
    assert.equal(redact(clean), clean);
  }
});

test('lockOutput: a second lock on the same file (also through a symlink) names the holder; release frees it; a dead pid is taken over', async (t) => {
  const dir = await tempDir('crawl-lock-');
  t.after(() => dir.cleanup());
  const file = dir.file('out.ndjson');
  await writeFile(file, '');
  await symlink(file, dir.file('link.ndjson'));
  const held = await lockOutput(file);
  // A live foreign holder: a child of ours; once it exited and was reaped, its pid is dead.
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  const livePid = sleeper.pid!;
  const gone = new Promise((r) => sleeper.once('exit', r));
  t.after(() => { sleeper.kill('SIGKILL'); });
  held.release();
  await writeFile(`${file}.lock`, `${livePid}\n`);
  await assert.rejects(lockOutput(dir.file('link.ndjson'), 'link.ndjson'), (err: unknown) => err instanceof LockedError && err.pid === livePid && err.message === `link.ndjson is being written by another crawl (pid ${livePid})`);
  // The same pid with its real start time still holds; with another start time the pid was reused
  // (a reboot, another container's pid namespace): the lock is stale.
  const start = readFileSync(`/proc/${livePid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]!;
  await writeFile(`${file}.lock`, `${livePid} ${start}\n`);
  await assert.rejects(lockOutput(file), LockedError);
  await writeFile(`${file}.lock`, `${livePid} ${Number(start) + 1}\n`);
  const reused = await lockOutput(file);
  reused.release();
  await writeFile(`${file}.lock`, `${livePid}\n`);
  sleeper.kill('SIGKILL');
  await gone;
  const again = await lockOutput(file);
  assert.match(await readFile(`${file}.lock`, 'utf8'), new RegExp(`^${process.pid} \\d+\\n$`), 'pid and start time');
  again.release();
  again.release();
  assert.deepEqual((await readdir(dir.path)).sort(), ['link.ndjson', 'out.ndjson']);
});

test('replaceFile: a failure midway leaves the old file and no temp file; success keeps the old mode, or sets the one asked for', async (t) => {
  const dir = await tempDir('crawl-atomic-');
  t.after(() => dir.cleanup());
  const file = dir.file('f.txt');
  await writeFile(file, 'old\n', { mode: 0o640 });
  await assert.rejects(replaceFile(file, async (fh) => {
    await fh.write('half');
    throw new Error('disk gone');
  }), /disk gone/);
  assert.equal(await readFile(file, 'utf8'), 'old\n');
  assert.deepEqual(await readdir(dir.path), ['f.txt']);
  await writeFileAtomic(file, 'new\n');
  assert.equal(await readFile(file, 'utf8'), 'new\n');
  assert.equal((await stat(file)).mode & 0o777, 0o640);
  await writeFileAtomic(file, 'secret\n', { mode: 0o600 });
  assert.equal((await stat(file)).mode & 0o777, 0o600);
});

test('findClash: same inode by any name is a clash, distinct files and allowed pairs are not', async (t) => {
  const dir = await tempDir('crawl-clash-');
  t.after(() => dir.cleanup());
  await writeFile(dir.file('a'), 'x');
  await writeFile(dir.file('b'), 'x');
  await symlink(dir.file('a'), dir.file('a-link'));
  assert.match((await findClash({ reads: [{ what: 'input', path: dir.file('a') }], writes: [{ what: '-o', path: dir.file('a-link') }] })) ?? '', /^-o .*a-link is the same file as input .*\/a: /);
  assert.equal(await findClash({ reads: [{ what: 'input', path: dir.file('a') }], writes: [{ what: '-o', path: dir.file('b') }] }), null);
  assert.match((await findClash({ reads: [], writes: [{ what: '-o', path: dir.file('new') }, { what: '-c', path: `${dir.path}/../${dir.path.split('/').pop()}/new` }] })) ?? '', /^-o .* is the same file as -c /);
  assert.equal(await findClash({ reads: [{ what: '-b', path: dir.file('a') }], writes: [{ what: '-c', path: dir.file('a') }], allowed: [['-c', '-b']] }), null);
  assert.equal(await findClash({ reads: [{ what: 'input', path: '-' }], writes: [{ what: '-o', path: '/dev/null' }, { what: '--log-file', path: '/dev/null' }] }), null);
});
