// `npm run bench`: crawl against a bare-undici reference client (bench/baseline.ts) on the local
// fixture site, which runs in its own process (bench/server.ts) so client and server each get a core.
// Every client is a child process measured by the OS (GNU time, or a labelled /proc fallback); its
// output is checked (line count, ok records, the right title per URL) and a run with wrong counts is
// INVALID, not a number. Prints one markdown table and copies it to .tmp/bench-results.md.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { HOSTS, spread, writeList, base } from './lists.js';
import { GNU_TIME, halt, killCurrent, measure, processCpu, systemBusy, timeSource, wallOnly, type Usage } from './measure.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const T0 = performance.now();
/** Seconds of runner time (build not included) past which optional runs are skipped, so build + bench stay within 3 minutes even on a busy machine. */
const BUDGET_S = 155;

// ── scenario sizes ─────────────────────────────────────────────────────────────────────────────
const CPU_N = 20_000; // /big-page/N?kb=10
const DOM_N = 5_000; // the same pages with --select/--links vs cheerio.load(): parse5 is slow, so fewer
const LINKS_N = 2_000; // /link-page/N?kb=100&links=300: --links alone (the byte scan) vs a plain crawl of the same list
const LAT_N = 4_000;
const LAT_DELAY = 20;
const SLOW_N = 200; // on 127.0.0.1, listed first
const SLOW_DELAY = 200;
const FAST_PER_HOST = 1_000; // on each of the other three hosts
const MANY_N = 2_000; // over MANY_NAMES host names through the fixture DNS server
const MANY_NAMES = 1_000;
const MANY_DNS_DELAY = 30; // bench/server.ts --dns-delay
const MANY_DELAY = 20;
const MANY_P = 4;
const MEM_SMALL = 20_000;
const MEM_LARGE = 200_000;
const ORIGINS_N = 10_000; // URLs over as many origins (one port each, bench/server.ts `ports`) vs over the four hosts
const STARTUP_RUNS = 10;
/** Runs per tool where a ratio is tight (CPU, latency): ABBA order, the best run counts. */
const REPS = 2;
/**
 * BENCH_ONLY=links: only the warm-up and the links scenario (BENCH_REPS ABBA rounds, default REPS),
 * for iterating on --links; the table then has only those rows. Any other value: everything.
 */
const ONLY = process.env.BENCH_ONLY;
const LINKS_REPS = Number(process.env.BENCH_REPS) > 0 ? Math.floor(Number(process.env.BENCH_REPS)) : REPS;

const C = 64;
const P = 16;
const FAIR_C = 16;
const FAIR_P = 4;

// ── targets ────────────────────────────────────────────────────────────────────────────────────
const T_CPU_ABS = 8_000;
const T_CPU_REL = 0.75;
const T_DOM_REL = 3;
const T_LAT = 1.25;
const T_FAIR = 1.1;
const T_MEM_REL = 1.25;
const T_MEM_MB = 150;
const T_MANY = 1.5;
const T_MANY_CPU = 3;
const T_ORIGINS_MEM = 1.3;
const T_STARTUP_MS = 150;
const T_LINKS_CPU = 1.5;
const T_LINKS_MB = 150;

type Tool = 'crawl' | 'baseline' | 'floor';

/** Set on some machines (this one): Node then loads that CA bundle at every start. */
const EXTRA_CA = process.env.NODE_EXTRA_CA_CERTS;
const NO_CA_ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS'));

interface Rec {
  url?: unknown;
  ok?: unknown;
  title?: unknown;
  fields?: { h?: unknown };
  links?: unknown;
}

interface Job {
  key: string;
  tool: Tool;
  list: string;
  n: number;
  args: string[];
  /** Is this record the right one for its URL? */
  check: (r: Rec) => boolean;
  timeoutMs: number;
  /** The tool column when it is not just the tool's name. */
  label?: string;
  env?: NodeJS.ProcessEnv;
}

interface Outcome {
  job: Job;
  usage: Usage;
  valid: boolean;
  why: string;
}

let tmp: string | undefined;
let server: ChildProcess | undefined;
const skipped: string[] = [];
/** CPU other processes used during each measured run, in cores: machine busy time minus client, server and runner. */
const foreign: { key: string; cores: number }[] = [];
const notes: string[] = [];

function log(s: string): void {
  process.stderr.write(`bench: ${s}\n`);
}

function elapsed(): number {
  return (performance.now() - T0) / 1000;
}

// ── server ─────────────────────────────────────────────────────────────────────────────────────
/** The fixture server's stdout lines, in order: its start line, then one answer per command. */
let serverLines: AsyncIterator<string> | undefined;

/** The server's next stdout line as JSON; rejects after `timeoutMs` or when the server has exited. */
async function serverLine(what: string, timeoutMs: number): Promise<Record<string, unknown>> {
  if (!serverLines) throw new Error('no fixture server');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`fixture server did not answer ${what} within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const next = await Promise.race([serverLines.next(), late]);
    if (next.done) throw new Error(`fixture server exited before it answered ${what}`);
    return JSON.parse(next.value) as Record<string, unknown>;
  } finally {
    clearTimeout(timer);
  }
}

async function startServer(): Promise<{ port: number; dns: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/bench/server.js'), '--exit-with-stdin', '--dns-delay', String(MANY_DNS_DELAY)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  server = child;
  serverLines = createInterface({ input: child.stdout!, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const { port, dns } = await serverLine('with its port', 10_000);
  if (typeof port !== 'number' || typeof dns !== 'string') throw new Error(`no port or dns in the fixture server's first line`);
  return { port, dns };
}

/** Has the fixture server start `count` one-port origins (bench/server.ts `ports N`); their ports, or why not. */
async function serverPorts(count: number): Promise<number[] | string> {
  server?.stdin?.write(`ports ${count}\n`);
  try {
    const { ports, error } = await serverLine(`ports ${count}`, 60_000);
    if (Array.isArray(ports) && ports.length === count && ports.every((p) => typeof p === 'number')) return ports as number[];
    return typeof error === 'string' ? error : 'no port list in its answer';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

async function stopServer(): Promise<void> {
  const child = server;
  server = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), 3_000);
  });
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

async function cleanup(): Promise<void> {
  killCurrent();
  await stopServer();
  if (tmp) await rm(tmp, { recursive: true, force: true });
  tmp = undefined;
}

// ── running and checking ──────────────────────────────────────────────────────────────────────
function command(job: { tool: Tool; list: string; extra?: string[]; c: number; p: number }): string[] {
  const limits = ['--limit', String(job.c), '--per-host', String(job.p)];
  if (job.tool === 'crawl') return [join(ROOT, 'bin/crawl.js'), job.list, ...limits, '--progress', 'never', ...(job.extra ?? [])];
  return [join(ROOT, `dist/bench/${job.tool}.js`), job.list, ...limits, ...(job.extra ?? [])];
}

async function verify(file: string, job: Job): Promise<{ lines: number; ok: number; right: number; distinct: number; bad: string }> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const urls = new Set<string>();
  let lines = 0;
  let ok = 0;
  let right = 0;
  let bad = '';
  for await (const line of rl) {
    lines++;
    let r: Rec;
    try {
      r = JSON.parse(line) as Rec;
    } catch {
      if (!bad) bad = `not JSON: ${line.slice(0, 120)}`;
      continue;
    }
    if (typeof r.url === 'string') urls.add(r.url);
    if (r.ok === true) ok++;
    if (r.ok === true && job.check(r)) right++;
    else if (!bad) bad = line.slice(0, 200);
  }
  return { lines, ok, right, distinct: urls.size, bad };
}

async function run(job: Job): Promise<Outcome> {
  if (!tmp) throw new Error('no temp dir');
  const outFile = join(tmp, `${job.key}-${job.tool}.ndjson`);
  log(`${job.key}: ${job.tool} (${job.n} URLs)…`);
  const busy0 = systemBusy();
  const server0 = processCpu(server?.pid);
  const self0 = process.cpuUsage();
  const usage = await measure({
    args: job.args,
    cwd: ROOT,
    outFile,
    timeFile: join(tmp, 'time.txt'),
    timeoutMs: job.timeoutMs,
    source: timeSource(),
    ...(job.env ? { env: job.env } : {}),
  });
  const self = process.cpuUsage(self0);
  const other = systemBusy() - busy0 - (usage.user + usage.sys) - (processCpu(server?.pid) - server0) - (self.user + self.system) / 1e6;
  const otherCores = usage.wall > 0 ? Math.max(0, other) / usage.wall : NaN;
  if (Number.isFinite(otherCores)) foreign.push({ key: `${job.key} ${job.tool}`, cores: otherCores });
  const v = await verify(outFile, job);
  await rm(outFile, { force: true });
  const problems: string[] = [];
  if (usage.timedOut) problems.push(`killed after ${job.timeoutMs / 1000} s`);
  if (usage.exitCode !== 0) problems.push(`exit ${String(usage.exitCode)}${usage.signal ? ` ${usage.signal}` : ''}`);
  if (v.lines !== job.n) problems.push(`${v.lines}/${job.n} lines`);
  if (v.ok !== job.n) problems.push(`${v.ok}/${job.n} ok`);
  if (v.right !== v.ok) problems.push(`${v.ok - v.right} wrong records`);
  if (v.distinct !== job.n) problems.push(`${v.distinct} distinct URLs`);
  const valid = problems.length === 0 && Number.isFinite(usage.user);
  const why = problems.join(', ') + (v.bad && !valid ? `; e.g. ${v.bad}` : '');
  if (!valid) log(`  INVALID: ${why}${usage.stderr ? `\n  stderr: ${usage.stderr.trim().slice(-600)}` : ''}`);
  else log(`  wall ${usage.wall.toFixed(2)} s, cpu ${(usage.user + usage.sys).toFixed(2)} s, rss ${usage.rssMb.toFixed(0)} MB, other processes ${otherCores.toFixed(2)} cores`);
  return { job, usage, valid, why };
}

/**
 * The many-hosts scenario without --dns-servers, inside `unshare -mn` with /etc/resolv.conf pointing
 * at the DNS fixture there (bench/netns.ts); undefined where that is not possible (not root, no unshare).
 */
async function runInNetns(): Promise<(Outcome & { dnsMaxInFlight: number }) | undefined> {
  if (process.getuid?.() !== 0) {
    skipped.push('many hosts through the system resolver: needs root for unshare -mn');
    return undefined;
  }
  log(`many-hosts: crawl through the system resolver, inside unshare -mn (${MANY_N} URLs)…`);
  const args = ['-mn', process.execPath, join(ROOT, 'dist/bench/netns.js'), ROOT, ...[MANY_N, MANY_NAMES, MANY_DNS_DELAY, MANY_DELAY, C, MANY_P].map(String)];
  const text = await new Promise<string>((resolve) => {
    const child = spawn('unshare', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.once('error', () => resolve(''));
    child.once('close', (code) => {
      if (code !== 0) log(`  unshare -mn run failed (${String(code)}): ${err.trim().slice(-300)}`);
      resolve(code === 0 ? out : '');
    });
  });
  if (!text) {
    skipped.push('many hosts through the system resolver: unshare -mn failed here');
    return undefined;
  }
  const r = JSON.parse(text) as { usage: Usage; lines: number; right: number; dnsMaxInFlight: number };
  const job: Job = { key: 'many-hosts-netns', tool: 'crawl', list: '(inside the namespace)', n: MANY_N, args, check: () => true, timeoutMs: 120_000, label: 'crawl, system resolver (unshare -mn)' };
  const problems = [r.usage.exitCode !== 0 ? `exit ${String(r.usage.exitCode)}` : '', r.lines !== MANY_N ? `${r.lines}/${MANY_N} lines` : '', r.right !== MANY_N ? `${r.right}/${MANY_N} right` : ''].filter(Boolean);
  const valid = problems.length === 0;
  log(valid ? `  wall ${r.usage.wall.toFixed(2)} s, cpu ${(r.usage.user + r.usage.sys).toFixed(2)} s, DNS queries in flight at most ${r.dnsMaxInFlight}` : `  INVALID: ${problems.join(', ')}`);
  return { job, usage: r.usage, valid, why: problems.join(', '), dnsMaxInFlight: r.dnsMaxInFlight };
}

// ── table ──────────────────────────────────────────────────────────────────────────────────────
interface Row {
  scenario: string;
  tool: string;
  urls: string;
  wall: string;
  cpu: string;
  rss: string;
  rate: string;
  perCpu: string;
  vsBase: string;
  vsTarget: string;
  result: string;
}

const int = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
const fix = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '—');
const cpuOf = (o: Outcome): number => o.usage.user + o.usage.sys;
const perCpuOf = (o: Outcome): number => o.job.n / cpuOf(o);
const verdict = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');
/** Both CPU targets must hold; a FAIL names the one(s) missed. */
function cpuVerdict(abs: number, rel: number): string {
  const missed = [abs >= T_CPU_ABS ? '' : 'absolute', rel >= T_CPU_REL ? '' : 'vs baseline'].filter(Boolean);
  return missed.length === 0 ? 'PASS' : `FAIL (${missed.join(', ')})`;
}

function row(scenario: string, o: Outcome, vsBase = '', vsTarget = '', result = ''): Row {
  const tool = o.job.label ?? o.job.tool;
  if (!o.valid) {
    return { scenario, tool, urls: int(o.job.n), wall: 'INVALID', cpu: '', rss: '', rate: '', perCpu: '', vsBase: '', vsTarget, result: `INVALID (${o.why.split(';')[0]})` };
  }
  const u = o.usage;
  return {
    scenario,
    tool,
    urls: int(o.job.n),
    wall: fix(u.wall),
    cpu: fix(u.user + u.sys),
    rss: fix(u.rssMb, 0),
    rate: int(o.job.n / u.wall),
    perCpu: int(perCpuOf(o)),
    vsBase,
    vsTarget,
    result,
  };
}

function table(rows: Row[]): string {
  const head = ['scenario', 'tool', 'URLs', 'wall s', 'CPU s', 'peak RSS MB', 'pages/s', 'pages/CPU-s', 'ratio to baseline', 'vs ideal / target', 'result'];
  const body = rows.map((r) => [r.scenario, r.tool, r.urls, r.wall, r.cpu, r.rss, r.rate, r.perCpu, r.vsBase, r.vsTarget, r.result]);
  const cells = [head, ...body];
  const widths = head.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const numeric = new Set([2, 3, 4, 5, 6, 7]);
  const line = (c: string[]): string => `| ${c.map((x, i) => (numeric.has(i) ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

const bothValid = (a: Outcome, b: Outcome): boolean => a.valid && b.valid;

/** REPS runs of each job in ABBA… order; per job the run with the lowest `cost`, or an invalid one if any. */
async function abba(a: Job, b: Job, cost: (o: Outcome) => number, reps = REPS): Promise<[Outcome, Outcome]> {
  const as: Outcome[] = [];
  const bs: Outcome[] = [];
  for (let i = 0; i < reps; i++) {
    const order: [Job, Outcome[]][] = i % 2 === 0 ? [[a, as], [b, bs]] : [[b, bs], [a, as]];
    for (const [j, into] of order) into.push(await run(j));
  }
  const best = (os: Outcome[]): Outcome => os.find((o) => !o.valid) ?? os.reduce((x, y) => (cost(y) < cost(x) ? y : x));
  return [best(as), best(bs)];
}

// ── main ───────────────────────────────────────────────────────────────────────────────────────
async function main(): Promise<void> {
  const source = timeSource();
  if (source === 'proc') {
    log(`${GNU_TIME} not found: install it with \`apt-get install -y time\` (Debian/Ubuntu); falling back to /proc sampling`);
    notes.push(`Measured WITHOUT GNU time: CPU from /proc/PID/stat utime+stime and peak RSS from /proc/PID/status VmHWM, sampled every 20 ms (the last ≤20 ms of CPU can be missed). Install GNU time (\`apt-get install -y time\`) for exact numbers.`);
  }
  const loadStart = loadavg()[0]!;
  tmp = await mkdtemp(join(tmpdir(), 'crawl-bench-'));
  const { port, dns } = await startServer();
  log(`fixture server pid ${String(server?.pid)} on ${HOSTS.map((h) => base(port, h)).join(', ')}`);

  // Lists.
  const L = (name: string): string => join(tmp!, `${name}.txt`);
  await writeList(L('warm'), 4_000, (i) => spread(port, i, i % 2 === 0 ? `/big-page/${900_000 + i}?kb=10` : `/page/${900_000 + i}`));
  await writeList(L('cpu'), CPU_N, (i) => spread(port, i, `/big-page/${i + 1}?kb=10`));
  await writeList(L('dom'), DOM_N, (i) => spread(port, i, `/big-page/${100_000 + i}?kb=10`));
  // 64 distinct pages (the server builds each once), every URL distinct.
  await writeList(L('links'), LINKS_N, (i) => spread(port, i, `/link-page/${i % 64}?kb=100&links=300&n=${i}`));
  await writeList(L('lat'), LAT_N, (i) => spread(port, i, `/page/${i + 1}?delay=${LAT_DELAY}`));
  await writeList(L('fair'), SLOW_N + 3 * FAST_PER_HOST, (i) =>
    i < SLOW_N ? `${base(port, HOSTS[0]!)}/page/${i + 1}?delay=${SLOW_DELAY}` : `${base(port, HOSTS[1 + ((i - SLOW_N) % 3)]!)}/page/${i + 1}`,
  );
  await writeList(L('many'), MANY_N, (i) => `http://n${i % MANY_NAMES}.many.test:${port}/page/${i + 1}?delay=${MANY_DELAY}`);
  await writeList(L('many4'), MANY_N, (i) => spread(port, i, `/page/${i + 1}?delay=${MANY_DELAY}`));
  await writeList(L('mem20k'), MEM_SMALL, (i) => spread(port, i, `/page/${i + 1}`));
  await writeList(L('mem200k'), MEM_LARGE, (i) => spread(port, i, `/page/${i + 1}`));

  const num = (url: unknown, re: RegExp): string => (typeof url === 'string' ? (re.exec(url)?.[1] ?? '?') : '?');
  const BIG = /\/big-page\/(\d+)/;
  const PAGE = /\/page\/(\d+)/;
  const bigTitle = (r: Rec): boolean => r.title === `Big ${num(r.url, BIG)}`;
  const pageTitle = (r: Rec): boolean => r.title === `Page ${num(r.url, PAGE)}`;
  const hasLinks = (r: Rec): boolean => Array.isArray(r.links) && r.links.length >= 20;
  const LINK_PAGE = /\/link-page\/(\d+)/;
  const docsTitle = (r: Rec): boolean => r.title === `Docs page ${num(r.url, LINK_PAGE)} — crawl`;

  const job = (key: string, tool: Tool, list: string, n: number, check: (r: Rec) => boolean, opts: { extra?: string[]; c?: number; p?: number; timeoutMs?: number; label?: string; env?: NodeJS.ProcessEnv } = {}): Job => ({
    key,
    tool,
    list,
    n,
    check,
    timeoutMs: opts.timeoutMs ?? 60_000,
    ...(opts.label ? { label: opts.label } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    args: command({ tool, list, c: opts.c ?? C, p: opts.p ?? P, ...(opts.extra ? { extra: opts.extra } : {}) }),
  });

  // Warm-up (not reported): the server's JIT, the page cache.
  await run(job('warm-up', 'baseline', L('warm'), 4_000, (r) => bigTitle(r) || pageTitle(r)));

  const linksJobs = (): [Job, Job] => [
    job('links', 'crawl', L('links'), LINKS_N, (r) => docsTitle(r) && Array.isArray(r.links) && r.links.length >= 150, { extra: ['--links'], label: 'crawl --links' }),
    job('links-plain', 'crawl', L('links'), LINKS_N, docsTitle, { label: 'crawl (plain)' }),
  ];
  const linksScenario = `links: ${LINKS_N / 1000}k × 100 KB, ~300 links, --links vs plain`;
  const linksRows = (linksCrawl: Outcome, linksPlain: Outcome): Row[] => {
    const linksRel = bothValid(linksCrawl, linksPlain) ? cpuOf(linksCrawl) / cpuOf(linksPlain) : NaN;
    return [
      row(linksScenario, linksCrawl, `CPU ${fix(linksRel)}× plain`,
        `CPU ${fix(linksRel)}× plain (≤${T_LINKS_CPU}); ${linksCrawl.valid ? fix(linksCrawl.usage.rssMb, 0) : '?'} MB (<${T_LINKS_MB})`,
        bothValid(linksCrawl, linksPlain) ? verdict(linksRel <= T_LINKS_CPU && linksCrawl.usage.rssMb < T_LINKS_MB) : 'INVALID'),
      row(linksScenario, linksPlain, '', 'reference: the same list without --links', 'ref'),
    ];
  };
  if (ONLY === 'links') {
    const [linksCrawl, linksPlain] = await abba(...linksJobs(), cpuOf, LINKS_REPS);
    await stopServer();
    const text = [
      `## crawl ${VERSION} bench, links scenario only (BENCH_ONLY=links)`,
      '',
      `${LINKS_REPS} runs per tool in ABBA order, the least CPU counts. 1-min load average ${loadStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at the end.`,
      '',
      table(linksRows(linksCrawl, linksPlain)),
      '',
    ].join('\n');
    process.stdout.write(text);
    return;
  }

  // 5. Start-up first, on a quiet machine.
  log(`start-up: ${STARTUP_RUNS}× crawl --version, ${STARTUP_RUNS}× node -e 0…`);
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const crawlStart: number[] = [];
  const nodeStart: number[] = [];
  const nodeStartNoCa: number[] = [];
  let startupOk = true;
  for (let i = 0; i < STARTUP_RUNS; i++) {
    const c = await wallOnly([join(ROOT, 'bin/crawl.js'), '--version'], ROOT, 5_000);
    if (c.exitCode !== 0 || c.stdout !== VERSION) startupOk = false;
    crawlStart.push(c.wall);
    nodeStart.push((await wallOnly(['-e', '0'], ROOT, 5_000)).wall);
    if (EXTRA_CA) nodeStartNoCa.push((await wallOnly(['-e', '0'], ROOT, 5_000, NO_CA_ENV)).wall);
  }

  // 1. CPU, then 2. with --select/--links vs plain cheerio.load(); crawl and baseline alternate.
  const [cpuCrawl, cpuBase] = await abba(job('cpu', 'crawl', L('cpu'), CPU_N, bigTitle), job('cpu', 'baseline', L('cpu'), CPU_N, bigTitle), cpuOf);
  const domBase = await run(job('dom', 'baseline', L('dom'), DOM_N, (r) => bigTitle(r) && hasLinks(r), { extra: ['--cheerio'] }));
  const domCrawl = await run(job('dom', 'crawl', L('dom'), DOM_N, (r) => bigTitle(r) && r.fields?.h === r.title && hasLinks(r), { extra: ['--select', 'h=h1', '--links'] }));
  // 2b. Large link-heavy pages: --links alone (byte scan, no tree) against a plain crawl, ABBA.
  const [linksCrawl, linksPlain] = await abba(...linksJobs(), cpuOf);
  // 3. Latency-bound.
  const [latBase, latCrawl] = await abba(job('latency', 'baseline', L('lat'), LAT_N, pageTitle), job('latency', 'crawl', L('lat'), LAT_N, pageTitle), (o) => o.usage.wall);
  // The floor (raw sockets) and, where this machine sets NODE_EXTRA_CA_CERTS, crawl without it.
  const byWall = (os: Outcome[]): Outcome => os.find((o) => !o.valid) ?? os.reduce((x, y) => (y.usage.wall < x.usage.wall ? y : x));
  const latRuns = async (j: Job): Promise<Outcome> => {
    const os: Outcome[] = [];
    for (let i = 0; i < REPS; i++) os.push(await run(j));
    return byWall(os);
  };
  const latFloor = await latRuns(job('latency', 'floor', L('lat'), LAT_N, pageTitle, { label: 'floor: raw sockets' }));
  const latCrawlNoCa = EXTRA_CA ? await latRuns(job('latency', 'crawl', L('lat'), LAT_N, pageTitle, { label: 'crawl, no extra CAs', env: NO_CA_ENV })) : undefined;
  // 4. Fairness.
  const fairBase = await run(job('fairness', 'baseline', L('fair'), SLOW_N + 3 * FAST_PER_HOST, pageTitle, { c: FAIR_C, p: FAIR_P }));
  const fairCrawl = await run(job('fairness', 'crawl', L('fair'), SLOW_N + 3 * FAST_PER_HOST, pageTitle, { c: FAIR_C, p: FAIR_P }));
  // 4b. Many hosts: names through the fixture DNS server; the same list shape over the four hosts.
  const dnsArgs = ['--dns-servers', dns];
  const [manyCrawl, manyBase] = await abba(
    job('many-hosts', 'crawl', L('many'), MANY_N, pageTitle, { p: MANY_P, extra: dnsArgs }),
    job('many-hosts', 'baseline', L('many'), MANY_N, pageTitle, { p: MANY_P, extra: dnsArgs }),
    (o) => o.usage.wall,
  );
  const manyFour = await run(job('many-hosts-4', 'crawl', L('many4'), MANY_N, pageTitle, { p: MANY_P, label: 'crawl, same list over 4 hosts' }));
  const manySystem = await runInNetns();
  // 5. Memory: 20k for both, 200k for crawl; 200k for the baseline only if the budget allows.
  const memCrawl20 = await run(job('mem-20k', 'crawl', L('mem20k'), MEM_SMALL, pageTitle));
  const memBase20 = await run(job('mem-20k', 'baseline', L('mem20k'), MEM_SMALL, pageTitle));
  const memCrawl200 = await run(job('mem-200k', 'crawl', L('mem200k'), MEM_LARGE, pageTitle, { timeoutMs: 120_000 }));
  // 5b. Memory over many origins: the same number of URLs over 10,000 one-port origins and over the
  // four hosts, ABBA, the least peak RSS of each counts.
  log(`origins: the fixture server binds ${ORIGINS_N.toLocaleString('en-US')} ports…`);
  const ports = await serverPorts(ORIGINS_N);
  let origins: [Outcome, Outcome] | undefined;
  if (typeof ports === 'string') {
    skipped.push(`memory over ${ORIGINS_N.toLocaleString('en-US')} origins: the fixture server could not listen on that many ports (${ports})`);
  } else {
    await writeList(L('origins'), ORIGINS_N, (i) => `http://127.0.0.1:${ports[i]!}/page/${i + 1}`);
    await writeList(L('origins4'), ORIGINS_N, (i) => spread(port, i, `/page/${i + 1}`));
    // fixtures/ports.ts titles a page with its path and port.
    const portTitle = (r: Rec): boolean => {
      if (typeof r.url !== 'string') return false;
      const u = new URL(r.url);
      return r.title === `${u.pathname} on ${u.port}`;
    };
    origins = await abba(
      job('origins', 'crawl', L('origins'), ORIGINS_N, portTitle, { p: MANY_P, label: `crawl, ${ORIGINS_N.toLocaleString('en-US')} origins` }),
      job('origins-4', 'crawl', L('origins4'), ORIGINS_N, pageTitle, { p: MANY_P, label: 'crawl, 4 origins' }),
      (o) => o.usage.rssMb,
    );
  }
  let memBase200: Outcome | undefined;
  const estimate = (memBase20.valid ? memBase20.usage.wall : memCrawl200.usage.wall / 10) * (MEM_LARGE / MEM_SMALL) * 1.15 + 3;
  if (elapsed() + estimate <= BUDGET_S) {
    memBase200 = await run(job('mem-200k', 'baseline', L('mem200k'), MEM_LARGE, pageTitle, { timeoutMs: Math.max(30_000, (BUDGET_S - elapsed()) * 1000) }));
  } else {
    skipped.push(`baseline at ${MEM_LARGE.toLocaleString('en-US')} URLs (estimated ${estimate.toFixed(0)} s; ${elapsed().toFixed(0)} s of the ${BUDGET_S} s budget used)`);
  }

  // ── rows ──
  const rows: Row[] = [];
  const cpuRel = bothValid(cpuCrawl, cpuBase) ? perCpuOf(cpuCrawl) / perCpuOf(cpuBase) : NaN;
  const cpuAbs = cpuCrawl.valid ? perCpuOf(cpuCrawl) : NaN;
  rows.push(
    row('CPU: 20k × 10 KB, C=64 P=16', cpuCrawl, `${fix(cpuRel)}× pages/CPU-s`,
      `${int(cpuAbs)} /CPU-s (≥${int(T_CPU_ABS)}); ${fix(cpuRel)}× base (≥${T_CPU_REL})`,
      bothValid(cpuCrawl, cpuBase) ? cpuVerdict(cpuAbs, cpuRel) : 'INVALID'),
    row('CPU: 20k × 10 KB, C=64 P=16', cpuBase, '', 'reference: bare undici + regex', 'ref'),
  );
  const domRel = bothValid(domCrawl, domBase) ? perCpuOf(domCrawl) / perCpuOf(domBase) : NaN;
  rows.push(
    row(`DOM: ${DOM_N / 1000}k × 10 KB, --select h=h1 --links`, domCrawl, `${fix(domRel)}× pages/CPU-s`,
      `${fix(domRel)}× plain cheerio.load() (≥${T_DOM_REL})`, bothValid(domCrawl, domBase) ? verdict(domRel >= T_DOM_REL) : 'INVALID'),
    row(`DOM: ${DOM_N / 1000}k × 10 KB, --select h=h1 --links`, domBase, '', 'reference: cheerio.load() + title + a[href]', 'ref'),
  );
  rows.push(...linksRows(linksCrawl, linksPlain));
  const latIdeal = (LAT_N * LAT_DELAY) / 1000 / C;
  const latWall = (o: Outcome): string => (o.valid ? `${fix(o.usage.wall / latIdeal)}× ideal ${fix(latIdeal)} s` : '');
  rows.push(
    row(`latency: ${LAT_N / 1000}k × ${LAT_DELAY} ms, C=64 P=16`, latCrawl, bothValid(latCrawl, latBase) ? `wall ${fix(latCrawl.usage.wall / latBase.usage.wall)}×` : '',
      `${latWall(latCrawl)} (≤${T_LAT})`, latCrawl.valid ? verdict(latCrawl.usage.wall / latIdeal <= T_LAT) : 'INVALID'),
    row(`latency: ${LAT_N / 1000}k × ${LAT_DELAY} ms, C=64 P=16`, latBase, '', latWall(latBase), 'ref'),
    row(`latency: ${LAT_N / 1000}k × ${LAT_DELAY} ms, C=64 P=16`, latFloor, bothValid(latFloor, latBase) ? `wall ${fix(latFloor.usage.wall / latBase.usage.wall)}×` : '', latWall(latFloor), 'floor'),
  );
  if (latCrawlNoCa) {
    rows.push(row(`latency: ${LAT_N / 1000}k × ${LAT_DELAY} ms, C=64 P=16`, latCrawlNoCa, bothValid(latCrawlNoCa, latBase) ? `wall ${fix(latCrawlNoCa.usage.wall / latBase.usage.wall)}×` : '', `${latWall(latCrawlNoCa)} (≤${T_LAT})`, latCrawlNoCa.valid ? `info: ${verdict(latCrawlNoCa.usage.wall / latIdeal <= T_LAT)}` : 'INVALID'));
  }
  const fairIdeal = (SLOW_N * SLOW_DELAY) / 1000 / FAIR_P;
  const fairWall = (o: Outcome): string => (o.valid ? `${fix(o.usage.wall / fairIdeal)}× ideal ${fix(fairIdeal, 1)} s` : '');
  rows.push(
    row('fairness: slow host first, C=16 P=4', fairCrawl, bothValid(fairCrawl, fairBase) ? `wall ${fix(fairCrawl.usage.wall / fairBase.usage.wall)}×` : '',
      `${fairWall(fairCrawl)} (≤${T_FAIR})`, fairCrawl.valid ? verdict(fairCrawl.usage.wall / fairIdeal <= T_FAIR) : 'INVALID'),
    row('fairness: slow host first, C=16 P=4', fairBase, '', fairWall(fairBase), 'ref'),
  );
  const manyIdeal = (MANY_NAMES * MANY_DNS_DELAY + MANY_N * MANY_DELAY) / 1000 / C;
  const manyWall = (o: Outcome): string => (o.valid ? `${fix(o.usage.wall / manyIdeal)}× ideal ${fix(manyIdeal)} s` : '');
  const cpuPerUrl = (o: Outcome): number => (o.usage.user + o.usage.sys) / o.job.n;
  const manyCpuRatio = bothValid(manyCrawl, manyFour) ? cpuPerUrl(manyCrawl) / cpuPerUrl(manyFour) : NaN;
  const manyScenario = `many hosts: ${MANY_N / 1000}k over ${MANY_NAMES / 1000}k names, DNS ${MANY_DNS_DELAY} ms, ${MANY_DELAY} ms pages, C=64 P=${MANY_P}`;
  rows.push(
    row(manyScenario, manyCrawl, bothValid(manyCrawl, manyBase) ? `wall ${fix(manyCrawl.usage.wall / manyBase.usage.wall)}×` : '',
      `${manyWall(manyCrawl)} (≤${T_MANY})`, manyCrawl.valid ? verdict(manyCrawl.usage.wall / manyIdeal <= T_MANY) : 'INVALID'),
    row(manyScenario, manyBase, '', `${manyWall(manyBase)}; c-ares, no cache`, 'ref'),
    ...(manySystem
      ? [row(manyScenario, manySystem, bothValid(manySystem, manyBase) ? `wall ${fix(manySystem.usage.wall / manyBase.usage.wall)}×` : '',
        `${manyWall(manySystem)} (≤${T_MANY}); DNS in flight ≤ ${manySystem.dnsMaxInFlight}`, manySystem.valid ? verdict(manySystem.usage.wall / manyIdeal <= T_MANY) : 'INVALID')]
      : []),
    row(manyScenario, manyFour, '', `CPU/URL over many hosts ${fix(manyCpuRatio)}× this (≤${T_MANY_CPU})`, bothValid(manyCrawl, manyFour) ? verdict(manyCpuRatio <= T_MANY_CPU) : 'INVALID'),
  );
  const memRatio = (big: Outcome, small: Outcome): number => (bothValid(big, small) ? big.usage.rssMb / small.usage.rssMb : NaN);
  const memBase = (o: Outcome | undefined, b: Outcome | undefined): string =>
    o && b && bothValid(o, b) ? `RSS ${fix(o.usage.rssMb / b.usage.rssMb)}×` : '';
  const crawlMemRatio = memRatio(memCrawl200, memCrawl20);
  rows.push(
    row('memory: 20k small pages, C=64 P=16', memCrawl20, memBase(memCrawl20, memBase20), '', memCrawl20.valid ? '—' : 'INVALID'),
    row('memory: 20k small pages, C=64 P=16', memBase20, '', '', 'ref'),
    row('memory: 200k small pages, C=64 P=16', memCrawl200, memBase(memCrawl200, memBase200),
      `RSS ${fix(crawlMemRatio)}× the 20k run (≤${T_MEM_REL}), ${fix(memCrawl200.usage.rssMb, 0)} MB (<${T_MEM_MB})`,
      bothValid(memCrawl200, memCrawl20) ? verdict(crawlMemRatio <= T_MEM_REL && memCrawl200.usage.rssMb < T_MEM_MB) : 'INVALID'),
  );
  if (memBase200) {
    rows.push(row('memory: 200k small pages, C=64 P=16', memBase200, '', `RSS ${fix(memRatio(memBase200, memBase20))}× the 20k run`, 'ref'));
  } else {
    rows.push({ scenario: 'memory: 200k small pages, C=64 P=16', tool: 'baseline', urls: int(MEM_LARGE), wall: 'skipped', cpu: '', rss: '', rate: '', perCpu: '', vsBase: '', vsTarget: 'time budget', result: 'skipped' });
  }
  const originsScenario = `memory: ${ORIGINS_N / 1000}k URLs over ${ORIGINS_N / 1000}k origins vs 4, C=64 P=${MANY_P}`;
  if (origins) {
    const [many, four] = origins;
    const ratio = memRatio(many, four);
    rows.push(
      row(originsScenario, many, '', `RSS ${fix(ratio)}× over 4 origins (≤${T_ORIGINS_MEM})`, bothValid(many, four) ? verdict(ratio <= T_ORIGINS_MEM) : 'INVALID'),
      row(originsScenario, four, '', 'reference: the same number of URLs over the 4 hosts', 'ref'),
    );
  } else {
    rows.push({ scenario: originsScenario, tool: 'crawl', urls: int(ORIGINS_N), wall: 'skipped', cpu: '', rss: '', rate: '', perCpu: '', vsBase: '', vsTarget: 'no ports', result: 'skipped' });
  }
  const crawlMs = median(crawlStart) * 1000;
  const nodeMs = median(nodeStart) * 1000;
  const blank = { urls: '', cpu: '', rss: '', rate: '', perCpu: '', vsBase: '' };
  rows.push(
    { ...blank, scenario: `start-up: --version, median of ${STARTUP_RUNS}`, tool: 'crawl', wall: fix(crawlMs / 1000, 3), vsTarget: `${fix(crawlMs, 0)} ms (<${T_STARTUP_MS} ms); min ${fix(Math.min(...crawlStart) * 1000, 0)} ms`, result: startupOk ? verdict(crawlMs < T_STARTUP_MS) : 'INVALID (wrong --version output)' },
    { ...blank, scenario: `start-up: --version, median of ${STARTUP_RUNS}`, tool: 'node -e 0', wall: fix(nodeMs / 1000, 3), vsTarget: `${fix(nodeMs, 0)} ms: node's own floor; min ${fix(Math.min(...nodeStart) * 1000, 0)} ms`, result: 'ref' },
  );
  if (nodeStartNoCa.length > 0) {
    const ms = median(nodeStartNoCa) * 1000;
    rows.push({ ...blank, scenario: `start-up: --version, median of ${STARTUP_RUNS}`, tool: 'node -e 0, no extra CAs', wall: fix(ms / 1000, 3), vsTarget: `${fix(ms, 0)} ms: node's floor without NODE_EXTRA_CA_CERTS`, result: 'ref' });
  }

  await stopServer();
  const total = elapsed();
  const loadEnd = loadavg()[0]!;
  const cores = cpus().length;
  const measured = foreign.filter((f) => !f.key.startsWith('warm-up'));
  const meanForeign = measured.reduce((a, f) => a + f.cores, 0) / Math.max(1, measured.length);
  const worst = measured.reduce<{ key: string; cores: number } | undefined>((w, f) => (!w || f.cores > w.cores ? f : w), undefined);
  const foreignText = measured.length > 0
    ? `Other processes used ${meanForeign.toFixed(2)} cores on average during the measured runs (most: ${worst!.cores.toFixed(2)} during ${worst!.key}), from /proc/stat minus client, server and runner.`
    : 'Other processes\' CPU use could not be read (/proc/stat).';
  if (meanForeign > 0.3 || (worst?.cores ?? 0) > 0.6) {
    notes.unshift(`WARNING: the machine was busy with other work (${meanForeign.toFixed(2)} of ${cores} cores on average while clients were measured). Wall-clock figures (latency, fairness, start-up, pages/s) are inflated; CPU-second figures and same-run ratios less so. Re-run on an idle machine for numbers to quote.`);
  }
  const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
  let timeVersion = '';
  if (source === 'gnu-time') {
    try {
      timeVersion = execFileSync(GNU_TIME, ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
    } catch {
      timeVersion = 'GNU time';
    }
  }
  let commit = 'unknown commit';
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bin', 'package.json'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    commit = `commit ${head}${dirty ? ' + uncommitted changes in src/bin' : ''}`;
  } catch {
    // not a git checkout
  }
  const lines = [
    `## crawl ${VERSION} bench (${commit})`,
    '',
    `Machine: ${cpus().length} × ${cpuModel}, node ${process.version}, loopback. Fixture server in its own process; each client a separate process.`,
    source === 'gnu-time'
      ? `Numbers from the OS: ${timeVersion} (\`%e %U %S %M\`: wall, user, sys, max RSS); CPU s = user + sys of the client process.`
      : 'Numbers from /proc sampling (GNU time missing), see the note below.',
    `${foreignText} 1-min load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at the end. CPU and latency: ${REPS} runs per tool in ABBA order, the best counts (least CPU, least wall).`,
    `Every run's output is checked: one line per URL, every record ok with the right title (and h1 field/links in the DOM scenario); otherwise INVALID.`,
    '',
    table(rows),
    '',
    `- baseline: bench/baseline.ts, undici.request through one Agent({connections: P}), per-origin FIFO queues served round robin + a global counter, body as text, regex <title>; \`--cheerio\`: \`load(html)\` from 'cheerio' (default entry and options), $('title').text(), $('a[href]') resolved.`,
    `- ideal, latency: N × delay / C = ${LAT_N} × ${LAT_DELAY} ms / ${C} = ${fix(latIdeal)} s.`,
    `- ideal, many hosts: (names × DNS delay + URLs × page delay) / C = (${MANY_NAMES} × ${MANY_DNS_DELAY} ms + ${MANY_N} × ${MANY_DELAY} ms) / ${C} = ${fix(manyIdeal)} s. Names n<i>.many.test are answered by the DNS fixture (bench/server.ts) after ${MANY_DNS_DELAY} ms; both clients get it with --dns-servers. The "over 4 hosts" row is the same list shape on the four addresses (bound by P per host, so only its CPU counts).`,
    `- ideal, fairness: the slow host's own bound = slow URLs × delay / per-host = ${SLOW_N} × ${SLOW_DELAY} ms / ${FAIR_P} = ${fix(fairIdeal, 1)} s; the list is ${SLOW_N} URLs of 127.0.0.1 (?delay=${SLOW_DELAY}) first, then ${3 * FAST_PER_HOST} undelayed /page/N over 127.0.0.2–4 in turn. A scheduler that lets the slow host's backlog hold global slots ends well past it.`,
    `- floor: bench/floor.ts, the latency list over raw keep-alive sockets (P per host, C in flight), no HTTP library, a response complete at Content-Length: what this machine and server allow any client.`,
    ...(EXTRA_CA
      ? [`- NODE_EXTRA_CA_CERTS is set on this machine (${EXTRA_CA}): Node reads and parses that bundle at every start, before any code runs, so every client row pays for it. The 'no extra CAs' rows run without it (no scenario uses TLS) to show that cost; they are information, the targets are judged on the rows above them.`]
      : []),
    `- DOM ratio: crawl --select 'h=h1' --links pages/CPU-s ÷ baseline --cheerio pages/CPU-s.`,
    `- links ratio: crawl --links CPU s ÷ crawl CPU s over the same ${LINKS_N.toLocaleString('en-US')} link-heavy pages (best of ${REPS} ABBA runs each); --links alone uses the byte scan, no document tree.`,
    `- memory: peak RSS of the client for ${int(MEM_SMALL)} vs ${int(MEM_LARGE)} /page/N URLs.`,
    `- memory over many origins: ${int(ORIGINS_N)} URLs, one per origin (the fixture server listening on ${int(ORIGINS_N)} ports of 127.0.0.1, each response asking \`Keep-Alive: timeout=60\`), against ${int(ORIGINS_N)} /page/N URLs over the four hosts; ${REPS} runs each in ABBA order, the least peak RSS counts. crawl caps V8's young generation at 16 MB itself (src/v8/heap.ts).`,
    `- start-up: spawn-to-exit wall measured by the runner (GNU time's %e has 10 ms steps).`,
    ...notes.map((n) => `- ${n}`),
    ...skipped.map((s) => `- skipped: ${s}`),
    `- total bench wall: ${total.toFixed(1)} s.`,
    '',
  ];
  const text = lines.join('\n');
  process.stdout.write(text);
  await mkdir(join(ROOT, '.tmp'), { recursive: true });
  await writeFile(join(ROOT, '.tmp/bench-results.md'), text);
  log(`table also written to .tmp/bench-results.md; total ${total.toFixed(1)} s`);
}

let interrupted = false;
const onSignal = (signal: NodeJS.Signals): void => {
  if (interrupted) return;
  interrupted = true;
  log(`${signal}: stopping the client and the server`);
  halt();
  void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

main()
  .catch((err: unknown) => {
    if (interrupted) return;
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
