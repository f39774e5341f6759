// A bug is reported as a bug: one stderr line asking for a report, the stack in the log, exit 70;
// only UserErrors are the user's (exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { lines, runCli, tempDir } from './helpers/cli.js';

const fault = fileURLToPath(new URL('./helpers/faults/cookie-load-bug.js', import.meta.url));

test('a TypeError inside cookie-file loading exits 70 with the internal-error line and its stack in the log', async (t) => {
  const dir = await tempDir();
  t.after(() => dir.cleanup());
  await writeFile(dir.file('cookies.txt'), '# Netscape HTTP Cookie File\n');
  await writeFile(dir.file('list.txt'), 'http://127.0.0.1:9/\n');
  const log = dir.file('crawl.log');

  const r = await runCli([dir.file('list.txt'), '-b', dir.file('cookies.txt'), '--log-file', log, '--progress', 'never'], { nodeArgs: ['--import', fault] });
  assert.equal(r.code, 70, r.stderr);
  assert.deepEqual(lines(r.stderr), ["crawl: internal error: Cannot read properties of undefined (reading 'split') (please report it)"]);
  assert.equal(r.stdout, '', 'nothing was crawled');
  const logged = lines(await readFile(log, 'utf8')).map((l) => JSON.parse(l) as { msg?: string; err?: { type?: string; stack?: string } });
  const entry = logged.find((e) => e.msg === 'internal error');
  assert.ok(entry, `an internal-error log line in ${JSON.stringify(logged)}`);
  assert.equal(entry.err?.type, 'TypeError');
  assert.match(entry.err?.stack ?? '', /cookie-load-bug/, 'the stack points at where it was thrown');

  // The same flags without the fault: a missing cookie file is the user's mistake, exit 2.
  const user = await runCli([dir.file('list.txt'), '-b', dir.file('missing.txt'), '--progress', 'never']);
  assert.equal(user.code, 2);
  assert.match(user.stderr, /^crawl: cannot read cookie file .*missing\.txt: no such file\n$/);
});
