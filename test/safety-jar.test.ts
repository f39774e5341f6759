// The -c cookie jar holds session secrets (issue 14, row 5): it is written 0600 and atomically (a full
// disk leaves the old jar, never a truncated one), Max-Age cookies keep their expiry in the file, and a
// cookie deleted with Max-Age=0 (a logout) is gone from the file and not sent on the next run.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { chmod, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from './helpers/cli.js';
import { smallDisk } from './helpers/disk.js';

let server: Server;
let base = '';
const cookiesSeen: (string | null)[] = [];
let dir: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  dir = await tempDir('crawl-safety-jar-');
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/login') res.setHeader('Set-Cookie', ['keep=1; Max-Age=3600; Path=/', 'gone=1; Max-Age=3600; Path=/', 'sess=s1; Path=/; HttpOnly']);
    if (path === '/logout') res.setHeader('Set-Cookie', 'gone=; Max-Age=0; Path=/');
    if (path === '/echo') cookiesSeen.push(req.headers.cookie ?? null);
    res.setHeader('Content-Type', 'text/html');
    res.end(`<title>${path}</title>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await dir.cleanup();
});

const QUIET = ['--progress', 'never', '--limit', '1'];

/** name → [expiry field, value] of a Netscape cookie file's lines. */
function parseJar(text: string): Map<string, [number, string]> {
  const m = new Map<string, [number, string]>();
  for (const line of text.split('\n')) {
    const l = line.replace(/^#HttpOnly_/, '');
    if (l.startsWith('#') || l.trim() === '') continue;
    const f = l.split('\t');
    m.set(f[5]!, [Number(f[4]), f[6] ?? '']);
  }
  return m;
}

test('-c writes the jar with mode 0600 (also over an existing 0644 file), Max-Age expiry kept', async () => {
  const jar = dir.file('jar.txt');
  await writeFile(jar, '# Netscape HTTP Cookie File\n');
  await chmod(jar, 0o644);
  const before = Math.floor(Date.now() / 1000);
  const r = await runCli([...QUIET, '-c', jar, '-'], { stdin: `${base}/login\n` });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await stat(jar)).mode & 0o777, 0o600);
  const cookies = parseJar(await readFile(jar, 'utf8'));
  const keep = cookies.get('keep');
  assert.ok(keep, 'keep saved');
  assert.ok(keep[0] >= before + 3590 && keep[0] <= before + 3700, `Max-Age=3600 saved as an expiry about an hour ahead, got ${keep[0]} (now ${before})`);
  assert.equal(cookies.get('sess')?.[0], 0, 'a session cookie stays a session cookie');
  assert.deepEqual((await readdir(dir.path)).filter((f) => f.endsWith('.tmp')), [], 'no temp file left');
});

test('a cookie deleted with Max-Age=0 (logout) is gone from the jar and not sent next run', async () => {
  const jar = dir.file('logout.txt');
  let r = await runCli([...QUIET, '-c', jar, '-'], { stdin: `${base}/login\n` });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(parseJar(await readFile(jar, 'utf8')).has('gone'));
  r = await runCli([...QUIET, '-b', jar, '-c', jar, '-'], { stdin: `${base}/logout\n` });
  assert.equal(r.code, 0, r.stderr);
  const after = parseJar(await readFile(jar, 'utf8'));
  assert.equal(after.has('gone'), false, `the deleted cookie is not in the jar:\n${await readFile(jar, 'utf8')}`);
  assert.ok(after.has('keep') && after.has('sess'), 'the others stay');
  cookiesSeen.length = 0;
  r = await runCli([...QUIET, '-b', jar, '-'], { stdin: `${base}/echo\n` });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(cookiesSeen.length, 1);
  assert.doesNotMatch(cookiesSeen[0] ?? '', /gone=/);
  assert.match(cookiesSeen[0] ?? '', /keep=1/);
});

test('a jar that cannot be written (full disk) leaves the old jar whole: exit 2, one line', async (t) => {
  const disk = await smallDisk();
  if (!disk) {
    t.skip('needs root to mount a small tmpfs');
    return;
  }
  t.after(() => disk.cleanup());
  const jar = disk.file('jar.txt');
  const old = '# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\told\tvalue\n';
  await writeFile(jar, old);
  await disk.fill(0);
  const r = await runCli([...QUIET, '-b', jar, '-c', jar, '-'], { stdin: `${base}/login\n` });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^crawl: cannot write cookie jar ${jar}: no space left on device\\n$`));
  assert.equal(await readFile(jar, 'utf8'), old, 'the old jar is untouched');
  assert.deepEqual((await readdir(disk.path)).filter((f) => f.endsWith('.tmp')), [], 'no temp file left');
});
