// Packs the package, installs the tarball with production dependencies into an empty directory
// and runs the installed `crawl` as an unprivileged user: catches files left out of `files`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type SpawnOptions } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSite } from '../fixtures/site.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], options: SpawnOptions & { input?: string; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdin?.end(options.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function explain(r: Result): string {
  return `exit ${r.code}\nstderr: ${r.stderr.slice(-2000)}\nstdout: ${r.stdout.slice(-1000)}`;
}

/** uid/gid of `nobody` from /etc/passwd, when we are root and can drop to it. */
async function nobody(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.startsWith('nobody:'));
  const fields = line?.split(':');
  if (fields?.[2] === undefined || fields[3] === undefined) return undefined;
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

test('npm pack → npm install --omit=dev → the installed crawl runs as an unprivileged user', { timeout: 180_000 }, async (t) => {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const work = await mkdtemp(join(tmpdir(), 'crawl-pack-'));
  const site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'], log: false });
  t.after(async () => {
    await site.close();
    await rm(work, { recursive: true, force: true });
  });

  // 1. Pack exactly what `npm publish` would.
  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT });
  assert.equal(packed.code, 0, explain(packed));
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  assert.ok(info, 'npm pack printed no result');
  const files = info.files.map((f) => f.path);
  for (const needed of ['package.json', 'bin/crawl.js', 'dist/src/cli.js']) {
    assert.ok(files.includes(needed), `${needed} is not in the tarball`);
  }
  for (const f of files) {
    assert.ok(
      /^(bin\/|dist\/src\/|package\.json$|README(\.md)?$|LICENSE(\.md|\.txt)?$)/i.test(f),
      `unexpected file in the tarball: ${f}`,
    );
    assert.ok(!f.endsWith('.ts') || f.endsWith('.d.ts'), `TypeScript source in the tarball: ${f}`);
  }

  // 2. Install it the way a user would, into an empty directory, production dependencies only.
  const app = join(work, 'app');
  await mkdir(app);
  const installed = await run(
    'npm',
    ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', join(work, info.filename)],
    { cwd: app, timeoutMs: 120_000 },
  );
  assert.equal(installed.code, 0, explain(installed));
  const bin = join(app, 'node_modules', '.bin', 'crawl');

  // 3. Run it as `nobody` when root (mkdtemp dirs are 0700), else as ourselves.
  const user = await nobody();
  const spawnAs: SpawnOptions = {
    cwd: work,
    env: { PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, HOME: work, LANG: 'C.UTF-8' },
  };
  if (user) {
    await chmod(work, 0o755);
    await chown(work, user.uid, user.gid);
    // The tarball's files were installed by root with the default umask; the parents of the
    // temp dir must be searchable by others, or nobody cannot reach the install.
    for (let dir = dirname(work); dir !== dirname(dir); dir = dirname(dir)) {
      assert.ok(((await stat(dir)).mode & 0o001) !== 0, `${dir} is not searchable by nobody; set TMPDIR elsewhere`);
    }
    spawnAs.uid = user.uid;
    spawnAs.gid = user.gid;
  }

  const version = await run(bin, ['--version'], spawnAs);
  assert.equal(version.code, 0, explain(version));
  assert.match(version.stdout.trim(), new RegExp(`(^|\\s|v)${pkg.version.replaceAll('.', '\\.')}$`));

  const expected = [
    { url: site.url('127.0.0.1', '/page/1'), status: 200, ok: true, title: 'Page 1' },
    { url: site.url('127.0.0.2', '/page/2'), status: 200, ok: true, title: 'Page 2' },
    { url: site.url('127.0.0.1', '/status/404'), status: 404, ok: false },
  ];
  const crawl = await run(bin, ['-', '--progress', 'never'], {
    ...spawnAs,
    input: `${expected.map((e) => e.url).join('\n')}\n`,
  });
  assert.equal(crawl.code, 0, explain(crawl));
  const records = crawl.stdout.trim().split('\n').map((l) => JSON.parse(l) as { url: string; ok: boolean; status: number; title?: string | null });
  assert.equal(records.length, expected.length, crawl.stdout);
  for (const e of expected) {
    const r = records.find((x) => x.url === e.url);
    assert.ok(r, `no record for ${e.url}`);
    assert.equal(r.status, e.status, JSON.stringify(r));
    assert.equal(r.ok, e.ok, JSON.stringify(r));
    if (e.title !== undefined) assert.equal(r.title, e.title);
  }
});
