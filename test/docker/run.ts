// `npm run test:docker`: builds the image with buildah (no Docker engine or registry here) on a
// local stand-in base image, then runs the documented usage patterns against the fixture site.
import { chown, mkdtemp, readFile, readlink, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { buildah, buildahOk, fromImage, imageConfig, removeContainers, RUN_FLAGS } from './buildah.js';
import { baseImages, parseDockerfile } from './dockerfile.js';
import { descendants, exec, execOk, onPath, seconds, stopChildren, tail, type ExecOptions, type ExecResult } from './exec.js';
import { ensureStandIn, removeStandIn } from './standin.js';
import { startSite } from '../../fixtures/site.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const IMAGE = 'localhost/crawl:latest';
const NODE_UID = 1000;
const argv = new Set(process.argv.slice(2));

interface Site {
  url(host: string, path: string): string;
  stats: { requests: number };
  close(): Promise<void>;
}

interface Outcome {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

/** A prerequisite failed: later steps cannot run. */
class Fatal extends Error {}

const outcomes: Outcome[] = [];
const containers: string[] = [];
const tempDirs: string[] = [];

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function step<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
  say(`▶ ${name}`);
  const started = Date.now();
  try {
    const value = await fn();
    const ms = Date.now() - started;
    outcomes.push({ name, ok: true, ms, detail: '' });
    say(`✔ ${name} (${seconds(ms)})`);
    return value;
  } catch (err) {
    const ms = Date.now() - started;
    const detail = err instanceof Error ? err.message : String(err);
    outcomes.push({ name, ok: false, ms, detail });
    say(`✘ ${name} (${seconds(ms)})\n${indent(detail)}`);
    return undefined;
  }
}

/** Like `step`, but a failure stops the run. */
async function required<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const value = await step(name, fn);
  if (value === undefined) throw new Fatal(`cannot continue after: ${name}`);
  return value;
}

function indent(text: string): string {
  return text.split('\n').map((l) => `    ${l}`).join('\n');
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

// ---------------------------------------------------------------- prerequisites

async function ensureTools(): Promise<string> {
  const missing: string[] = [];
  for (const tool of ['buildah', 'debootstrap']) if (!(await onPath(tool))) missing.push(tool);
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) {
      throw new Error(`${missing.join(' and ')} not installed and not running as root to install them; ` +
        `run: sudo apt-get install -y buildah debootstrap`);
    }
    say(`  installing ${missing.join(', ')} with apt-get`);
    await execOk('apt-get', ['update', '-qq'], { timeoutMs: 5 * 60_000 });
    await execOk('apt-get', ['install', '-y', '-qq', 'buildah', 'debootstrap'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeoutMs: 10 * 60_000,
    });
  }
  if (process.getuid?.() !== 0) throw new Error('buildah with vfs storage and chroot isolation needs root here');
  return (await execOk('buildah', ['--version'])).stdout.trim();
}

// ---------------------------------------------------------------- image

/**
 * `buildah bud` without `--layers`: with vfs storage every cached layer is a full copy of the
 * rootfs (~300 MB each, ~2 GB per build), and building straight through (~35 s, two `npm ci`
 * included) is faster than reusing them (~60-150 s). The replaced image is removed afterwards.
 */
async function buildImage(): Promise<string> {
  const previous = await buildah(['inspect', '--type', 'image', '--format', '{{.FromImageID}}', IMAGE]);
  const args = ['bud', ...RUN_FLAGS, '--pull=never', '--layers=false', '-t', IMAGE, '-f', join(ROOT, 'Dockerfile')];
  const r = await buildahOk([...args, ROOT], { timeoutMs: 20 * 60_000, echo: argv.has('--verbose') });
  const id = (await buildahOk(['inspect', '--type', 'image', '--format', '{{.FromImageID}}', IMAGE])).stdout.trim();
  const old = previous.code === 0 ? previous.stdout.trim() : '';
  if (old !== '' && old !== id) await buildah(['rmi', old]);
  // Untagged leftovers (earlier builds' stages) would otherwise pile up in vfs storage.
  await buildah(['rmi', '--prune']);
  const size = await buildahOk(['images', '--format', '{{.Size}}', IMAGE]);
  const installs = r.stdout.split('\n').filter((l) => /^added \d+ packages/.test(l)).join('; ');
  return `image ${IMAGE} ${id.slice(0, 12)}, size ${size.stdout.trim()}; npm ci: ${installs}`;
}

async function inspectImage(version: string): Promise<void> {
  const config = await imageConfig(IMAGE);
  check(config, `no image ${IMAGE}`);
  check(JSON.stringify(config.Entrypoint) === '["crawl"]', `Entrypoint is ${JSON.stringify(config.Entrypoint)}`);
  check(config.User === 'node', `User is ${JSON.stringify(config.User)}`);
  check(config.WorkingDir === '/data', `WorkingDir is ${JSON.stringify(config.WorkingDir)}`);
  const labels = config.Labels ?? {};
  for (const key of ['source', 'version', 'description', 'title', 'licenses']) {
    check(labels[`org.opencontainers.image.${key}`], `label org.opencontainers.image.${key} missing`);
  }
  check(labels['org.opencontainers.image.version'] === version, `version label ${labels['org.opencontainers.image.version']} ≠ ${version}`);
}

/** Looks at the runtime filesystem from the host: what must and must not be in it. */
async function inspectContents(ctr: string): Promise<string> {
  const mnt = (await buildahOk(['mount', ctr])).stdout.trim();
  try {
    const must = ['app/bin/crawl.js', 'app/dist/src/cli.js', 'app/dist/src/extract/links.wasm', 'app/package.json', 'app/package-lock.json', 'app/node_modules/commander'];
    const mustNot = [
      'app/node_modules/typescript', 'app/node_modules/assemblyscript', 'app/node_modules/@types/node', 'app/node_modules/ink-testing-library',
      'app/src', 'app/test', 'app/fixtures', 'app/dist/test', 'app/dist/fixtures', 'app/tsconfig.json',
      'app/.git', 'root/.npm/_cacache',
    ];
    for (const p of must) check(existsSync(join(mnt, p)), `/${p} is missing from the image`);
    for (const p of mustNot) check(!existsSync(join(mnt, p)), `/${p} should not be in the image`);
    const link = await readlink(join(mnt, 'usr/local/bin/crawl'));
    check(link === '/app/bin/crawl.js', `/usr/local/bin/crawl → ${link}`);
    const data = await stat(join(mnt, 'data'));
    check(data.uid === NODE_UID, `/data is owned by uid ${data.uid}`);
    const app = await stat(join(mnt, 'app'));
    check(app.uid === 0, `/app should be root-owned (read-only to node), is uid ${app.uid}`);
    const du = await exec('du', ['-sh', join(mnt, 'app/node_modules')]);
    return `node_modules ${du.stdout.split('\t')[0] ?? '?'}`;
  } finally {
    await buildah(['umount', ctr]);
  }
}

// ---------------------------------------------------------------- running the CLI

interface RunOptions {
  input?: string;
  /** Host directory mounted read-write at /data. */
  data?: string;
  timeoutMs?: number;
  onSpawn?: (child: ChildProcess) => void;
  /**
   * Run crawl as PID 1 of a fresh PID namespace, as `docker run` without `--init` does (buildah's
   * chroot isolation shares the host's PID namespace): root with CAP_SYS_ADMIN only long enough
   * for `unshare`, then `setpriv` drops to node (1000:1000, no capabilities) and execs crawl.
   */
  pid1?: boolean;
}

const AS_PID1 = [
  'unshare', '--pid', '--fork', '--mount-proc',
  'setpriv', `--reuid=${NODE_UID}`, `--regid=${NODE_UID}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all',
  'env', 'HOME=/home/node',
];

function crawlIn(ctr: string, args: string[], options: RunOptions = {}): Promise<ExecResult> {
  const flags = [...RUN_FLAGS];
  flags.push(...(options.pid1 === true ? ['--user', 'root', '--cap-add', 'CAP_SYS_ADMIN'] : ['--user', 'node']));
  if (options.data !== undefined) flags.push('-v', `${options.data}:/data:rw`);
  const runOptions: ExecOptions = { timeoutMs: options.timeoutMs ?? 120_000 };
  if (options.input !== undefined) runOptions.input = options.input;
  if (options.onSpawn !== undefined) runOptions.onSpawn = options.onSpawn;
  const command = options.pid1 === true ? [...AS_PID1, 'crawl'] : ['crawl'];
  return buildah(['run', ...flags, ctr, '--', ...command, ...args], runOptions);
}

function describe(r: ExecResult): string {
  return `${r.command}\n→ exit ${r.code ?? r.signal}${r.timedOut ? ' (timed out)' : ''} in ${seconds(r.ms)}` +
    `\nstderr:\n${indent(tail(r.stderr, 15) || '(empty)')}\nstdout:\n${indent(tail(r.stdout, 10) || '(empty)')}`;
}

interface CrawlRecord {
  url: string;
  ok: boolean;
  status: number | null;
  title?: string | null;
  [key: string]: unknown;
}

/** Parses NDJSON; every non-empty line must be one complete JSON object with a url. */
function parseNdjson(text: string, where: string): CrawlRecord[] {
  const records: CrawlRecord[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${where} line ${i + 1} is not complete JSON: ${JSON.stringify(line.slice(0, 200))}`);
    }
    check(typeof value === 'object' && value !== null && typeof (value as { url?: unknown }).url === 'string',
      `${where} line ${i + 1} is not a record: ${line.slice(0, 200)}`);
    records.push(value as CrawlRecord);
  });
  return records;
}

interface Expected {
  url: string;
  ok: boolean;
  status: number;
  title?: string;
}

function checkRecords(records: CrawlRecord[], expected: Expected[], where: string): void {
  const byUrl = new Map<string, CrawlRecord[]>();
  for (const r of records) byUrl.set(r.url, [...(byUrl.get(r.url) ?? []), r]);
  for (const [url, list] of byUrl) check(list.length === 1, `${where}: ${list.length} records for ${url}`);
  check(records.length === expected.length, `${where}: ${records.length} records for ${expected.length} URLs`);
  for (const e of expected) {
    const r = byUrl.get(e.url)?.[0];
    check(r, `${where}: no record for ${e.url}`);
    check(r.ok === e.ok, `${where}: ${e.url} ok=${String(r.ok)}, expected ${String(e.ok)} (${JSON.stringify(r)})`);
    check(r.status === e.status, `${where}: ${e.url} status=${String(r.status)}, expected ${e.status}`);
    if (e.title !== undefined) check(r.title === e.title, `${where}: ${e.url} title=${JSON.stringify(r.title)}, expected ${e.title}`);
  }
}

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'crawl-docker-'));
  tempDirs.push(dir);
  // Inside the container the crawl runs as node (uid 1000) and writes here.
  await chown(dir, NODE_UID, NODE_UID);
  return dir;
}

// Scenario 1: `docker run --rm -i crawl - < urls.txt`
async function stdinPipe(ctr: string, site: Site): Promise<string> {
  const expected: Expected[] = [
    ...[1, 2, 3].map((n) => ({ url: site.url('127.0.0.1', `/page/${n}`), ok: true, status: 200, title: `Page ${n}` })),
    ...[4, 5].map((n) => ({ url: site.url('127.0.0.2', `/page/${n}`), ok: true, status: 200, title: `Page ${n}` })),
    { url: site.url('127.0.0.2', '/data.json'), ok: true, status: 200 },
    { url: site.url('127.0.0.1', '/status/404'), ok: false, status: 404 },
  ];
  const r = await crawlIn(ctr, ['-', '--progress', 'never'], { input: `${expected.map((e) => e.url).join('\n')}\n` });
  check(r.code === 0, `crawl - exited ${r.code}\n${describe(r)}`);
  checkRecords(parseNdjson(r.stdout, 'stdout'), expected, 'stdout');
  return `${expected.length} records on stdout in ${seconds(r.ms)}`;
}

// Scenario 2: `docker run --rm -v "$PWD:/data" crawl /data/urls.txt -o /data/out.ndjson --resume`
async function mountedResume(ctr: string, site: Site): Promise<string> {
  const dir = await dataDir();
  const first: Expected[] = [1, 2, 3, 4].map((n) => ({
    url: site.url(n % 2 === 0 ? '127.0.0.1' : '127.0.0.3', `/page/${10 + n}`), ok: true, status: 200, title: `Page ${10 + n}`,
  }));
  first.push({ url: site.url('127.0.0.1', '/status/404'), ok: false, status: 404 });
  const args = ['/data/urls.txt', '-o', '/data/out.ndjson', '--resume', '--progress', 'never'];
  const out = join(dir, 'out.ndjson');

  await writeFile(join(dir, 'urls.txt'), `${first.map((e) => e.url).join('\n')}\n`);
  const r1 = await crawlIn(ctr, args, { data: dir });
  check(r1.code === 0, `first run exited ${r1.code}\n${describe(r1)}`);
  checkRecords(parseNdjson(await readFile(out, 'utf8'), 'out.ndjson (run 1)'), first, 'out.ndjson (run 1)');
  const owner = (await stat(out)).uid;
  check(owner === NODE_UID, `out.ndjson is owned by uid ${owner}, expected the node user (${NODE_UID})`);

  // Same list again: nothing to fetch, nothing appended.
  const before = site.stats.requests;
  const r2 = await crawlIn(ctr, args, { data: dir });
  check(r2.code === 0, `second run exited ${r2.code}\n${describe(r2)}`);
  checkRecords(parseNdjson(await readFile(out, 'utf8'), 'out.ndjson (run 2)'), first, 'out.ndjson (run 2, same list)');
  const refetched = site.stats.requests - before;
  check(refetched === 0, `--resume with nothing new still made ${refetched} requests`);

  // Two more URLs: only those are fetched and appended. Relative paths, as with
  // `docker run -v "$PWD:/data" crawl urls.txt -o out.ndjson --resume` (WORKDIR is /data).
  const more: Expected[] = [20, 21].map((n) => ({ url: site.url('127.0.0.4', `/page/${n}`), ok: true, status: 200, title: `Page ${n}` }));
  await writeFile(join(dir, 'urls.txt'), `${[...first, ...more].map((e) => e.url).join('\n')}\n`);
  const before3 = site.stats.requests;
  const r3 = await crawlIn(ctr, ['urls.txt', '-o', 'out.ndjson', '--resume', '--progress', 'never'], { data: dir });
  check(r3.code === 0, `third run exited ${r3.code}\n${describe(r3)}`);
  checkRecords(parseNdjson(await readFile(out, 'utf8'), 'out.ndjson (run 3)'), [...first, ...more], 'out.ndjson (run 3, 2 new URLs)');
  check(site.stats.requests - before3 === more.length, `third run made ${site.stats.requests - before3} requests, expected ${more.length}`);
  return `runs ${seconds(r1.ms)}, ${seconds(r2.ms)}, ${seconds(r3.ms)}; ${first.length + more.length} records, no duplicates`;
}

/** Descendants of `rootPid` whose argv is `node …crawl…`. */
async function findCrawlPids(rootPid: number): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await descendants(rootPid)) {
    try {
      const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((a) => a !== '');
      if (basename(args[0] ?? '') === 'node' && args.slice(1).some((a) => /crawl(\.js)?$/.test(a))) found.push(pid);
    } catch {
      // Gone already.
    }
  }
  return found;
}

/** The innermost PID of `pid` (last NSpid entry): 1 when it is its namespace's init. */
async function namespacePid(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const line = status.split('\n').find((l) => l.startsWith('NSpid:'));
  const last = line?.trim().split(/\s+/).pop();
  return last === undefined ? undefined : Number(last);
}

interface SignalCase {
  signal: 'SIGTERM' | 'SIGINT';
  code: number;
  pid1: boolean;
}

// Scenario 3 (and 4): a signal mid-crawl → exit 143/130, the output file holds only complete lines.
async function signalled(ctr: string, site: Site, c: SignalCase): Promise<string> {
  const dir = await dataDir();
  const count = 40;
  const urls = Array.from({ length: count }, (_, i) => site.url(i % 2 === 0 ? '127.0.0.1' : '127.0.0.2', `/slow?delay=2000&n=${i}`));
  await writeFile(join(dir, 'urls.txt'), `${urls.join('\n')}\n`);
  const out = join(dir, 'out.ndjson');
  let buildahPid: number | undefined;
  const running = crawlIn(ctr, ['/data/urls.txt', '--limit', '2', '-o', '/data/out.ndjson', '--progress', 'never'], {
    data: dir,
    timeoutMs: 90_000,
    pid1: c.pid1,
    onSpawn: (child) => {
      buildahPid = child.pid;
    },
  });
  let exited: ExecResult | undefined;
  void running.then((r) => {
    exited = r;
  });

  // Wait for the first record.
  const started = Date.now();
  let firstAt: number | undefined;
  while (exited === undefined && Date.now() - started < 30_000) {
    const text = existsSync(out) ? await readFile(out, 'utf8') : '';
    if (text.includes('\n')) {
      firstAt = Date.now() - started;
      break;
    }
    await sleep(100);
  }
  if (exited !== undefined) throw new Error(`crawl ended before it could be signalled\n${describe(exited)}`);
  check(firstAt !== undefined, 'no record in out.ndjson after 30 s');
  check(buildahPid !== undefined, 'buildah run has no pid');

  const pids = await findCrawlPids(buildahPid);
  check(pids.length === 1, `expected one node crawl process under buildah (pid ${buildahPid}), found [${pids.join(', ')}]`);
  const crawlPid = pids[0] ?? 0;
  const inner = await namespacePid(crawlPid);
  if (c.pid1) check(inner === 1, `crawl is pid ${inner} in its namespace, not 1`);
  const signalledAt = Date.now();
  process.kill(crawlPid, c.signal);
  const r = await running;
  const stopMs = Date.now() - signalledAt;
  const records = parseNdjson(await readFile(out, 'utf8'), 'out.ndjson');
  check(r.code === c.code, `exit ${r.code ?? r.signal} after ${c.signal}, expected ${c.code}\n${describe(r)}`);
  check(records.length >= 1 && records.length < count, `${records.length} records of ${count}`);
  check(new Set(records.map((x) => x.url)).size === records.length, 'duplicate records in out.ndjson');
  for (const x of records) check(urls.includes(x.url), `unexpected url ${x.url}`);
  return `first record after ${seconds(firstAt)}, ${c.signal} to host pid ${crawlPid} (pid ${inner} inside), ` +
    `exit ${c.code} after ${seconds(stopMs)}, ${records.length}/${count} complete records`;
}

// ---------------------------------------------------------------- main

/** Working containers of our image left by an interrupted earlier run. */
async function removeLeftovers(): Promise<void> {
  const r = await buildah(['containers', '--format', '{{.ContainerName}} {{.ImageName}}']);
  const stale = r.stdout.split('\n').map((l) => l.trim().split(/\s+/))
    .filter(([name, image]) => name !== undefined && name !== '' && image === IMAGE).map(([name]) => name ?? '');
  if (stale.length > 0) {
    say(`  removing ${stale.length} working container(s) left by an earlier run`);
    await removeContainers(stale);
  }
}

/** Ctrl-C on the runner: remove what it made, then exit 130. buildah children get the signal too. */
function onInterrupt(): void {
  say('\ninterrupted: cleaning up');
  void stopChildren()
    .then(() => sleep(500))
    .then(() => removeContainers(containers.splice(0)))
    .then(() => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))))
    .finally(() => process.exit(130));
}
process.once('SIGINT', onInterrupt);
process.once('SIGTERM', onInterrupt);

async function main(): Promise<number> {
  const t0 = Date.now();
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  let site: Site | undefined;
  try {
    const version = await required('buildah and debootstrap available', ensureTools);
    say(`  ${version}`);
    await removeLeftovers();
    const images = baseImages(parseDockerfile(await readFile(join(ROOT, 'Dockerfile'), 'utf8')));
    say(`  base images in the Dockerfile: ${images.join(', ')}`);
    if (argv.has('--rebuild-base')) await removeStandIn(images);
    const standIn = await required(`base image stand-in for ${images.join(', ')}`, () =>
      ensureStandIn(images, (line) => say(`  ${line}`)));
    say(`  ${standIn.cached ? 'reused cached stand-in' : 'built stand-in'}: ${standIn.names.join(', ')}`);
    for (const n of standIn.notes) say(`  ${n}`);

    say(`  ${await required('buildah bud (project image)', buildImage)}`);
    await step('image config: entrypoint, user, workdir, labels', () => inspectImage(pkg.version));
    const ctr = await required('buildah from', () => fromImage(IMAGE));
    containers.push(ctr);
    const contents = await step('image contents: runtime files only', () => inspectContents(ctr));
    if (contents !== undefined) say(`  ${contents}`);
    await step('crawl --version as node', async () => {
      const r = await crawlIn(ctr, ['--version']);
      check(r.code === 0 && r.stdout.trim().endsWith(pkg.version), `expected ${pkg.version}\n${describe(r)}`);
    });

    site = await required('fixture site on 127.0.0.1-4', () =>
      startSite({ hosts: ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'], log: false }));
    const s = site;
    for (const [name, fn] of [
      ['scenario 1: stdin pipe (crawl - < urls.txt)', stdinPipe],
      ['scenario 2: mounted /data list, -o, --resume twice', mountedResume],
      ['scenario 3: SIGTERM mid-crawl → 143, complete lines', (c: string, x: Site) =>
        signalled(c, x, { signal: 'SIGTERM', code: 143, pid1: false })],
      ['scenario 3b: crawl as PID 1 (no --init), SIGTERM → 143', (c: string, x: Site) =>
        signalled(c, x, { signal: 'SIGTERM', code: 143, pid1: true })],
      ['scenario 3c: crawl as PID 1, SIGINT (Ctrl-C) → 130', (c: string, x: Site) =>
        signalled(c, x, { signal: 'SIGINT', code: 130, pid1: true })],
    ] as const) {
      const detail = await step(name, () => fn(ctr, s));
      if (detail !== undefined) say(`  ${detail}`);
    }
  } catch (err) {
    if (!(err instanceof Fatal)) {
      outcomes.push({ name: 'unexpected error', ok: false, ms: 0, detail: err instanceof Error ? err.stack ?? err.message : String(err) });
      say(`✘ unexpected error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    } else {
      say(`✘ ${err.message}`);
    }
  } finally {
    await site?.close();
    await removeContainers(containers.splice(0));
    for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
  }

  say('\nsummary');
  for (const o of outcomes) say(`  ${o.ok ? 'ok  ' : 'FAIL'} ${seconds(o.ms).padStart(7)}  ${o.name}`);
  const failed = outcomes.filter((o) => !o.ok);
  say(`  total ${seconds(Date.now() - t0)}; ${failed.length === 0 ? 'all passed' : `${failed.length} failed`}`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
