// The progress view: the event fold and snapshot (fake clock), the Ink frame drawn from a
// snapshot, the summary line, the plain/silent rules, and that plain runs never load React.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { CrawlEmitter } from '../src/events.js';
import type { CrawlRecord } from '../src/record.js';
import type { ErrorCode } from '../src/record.js';
import { createState, fold, MAX_HOSTS, sample, snapshot } from '../src/view/state.js';
import type { ViewState } from '../src/view/state.js';
import { App, hostRows } from '../src/view/App.js';
import { summaryLine, plainLine } from '../src/view/summary.js';
import { formatBytes, formatClock, formatDuration, truncate } from '../src/view/format.js';
import { logText } from '../src/view/logs.js';
import { drawsView, printsPlain } from '../src/view/mode.js';
import { startPlain } from '../src/view/plain.js';
import { startProgress } from '../src/view/index.js';
import type { ProgressOptions } from '../src/view/index.js';

const A = 'http://127.0.0.1:8080';
const B = 'http://127.0.0.2:8080';
const C = 'https://example.com';
const D = 'http://127.0.0.3:8080';
const E = 'http://a-really-long-host-name-that-goes-on-and-on.example.org:8080';
const LONG_URL = `${E}/${'deep/'.repeat(40)}page?delay=300`;

function okRec(url: string, ms = 100, bytes = 1000, status = 200): CrawlRecord {
  return { url, ok: true, status, bytes, ms, finalUrl: url, redirects: 0, contentType: 'text/html', title: null };
}

function failRec(url: string, code: ErrorCode, status: number | null = null): CrawlRecord {
  return { url, ok: false, status, finalUrl: url, redirects: 0, ms: 50, error: { code, message: code } };
}

/** One request's life: queued → start → done. */
function visit(state: ViewState, origin: string, record: CrawlRecord): void {
  fold.queued(state, origin);
  fold.start(state, origin);
  fold.done(state, origin, record);
}

/** A crawl 4 s in (limit 6, per-host 2) with work in flight, waiting hosts and assorted failures. */
function scripted(): ViewState {
  const s = createState(0, 6, 2);
  for (let i = 1; i <= 40; i++) fold.read(s, i);
  visit(s, A, okRec(`${A}/page/1`, 100));
  visit(s, A, okRec(`${A}/page/2`, 300));
  visit(s, A, okRec(`${A}/page/3`, 200));
  for (let i = 0; i < 9; i++) fold.queued(s, A);
  fold.start(s, A);
  fold.start(s, A); // A: 2/2 active, 7 queued → waiting
  sample(s, 1000);
  visit(s, B, failRec(`${B}/page/404`, 'EHTTP', 404));
  visit(s, B, okRec(`${B}/page/5`, 400));
  for (let i = 0; i < 3; i++) fold.queued(s, B);
  fold.start(s, B); // B: 1/2 active, 2 queued → not waiting
  sample(s, 2000);
  visit(s, C, failRec(`${C}/slow`, 'ETIMEDOUT'));
  visit(s, D, failRec(`${D}/page/6`, 'ECONNREFUSED'));
  visit(s, D, failRec(`${D}/status/503`, 'EHTTP', 503));
  sample(s, 3000);
  visit(s, E, failRec(LONG_URL, 'ETIMEDOUT'));
  fold.done(s, null, { url: 'not a url', ok: false, status: null, finalUrl: null, redirects: 0, line: 7, error: { code: 'EINVALIDURL', message: 'x' } });
  sample(s, 4000);
  return s;
}

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

function lines(frame: string | undefined): string[] {
  assert.ok(frame !== undefined, 'a frame was drawn');
  return frame.replace(ANSI, '').split('\n');
}

function assertFits(frameLines: string[], width: number): void {
  for (const line of frameLines) assert.ok([...line].length <= width, `line wider than ${width}: "${line}"`);
}

function drawn(s: ViewState, now: number, width = 80, rows = 30): string[] {
  const { lastFrame, unmount } = render(createElement(App, { snapshot: snapshot(s, now), width, rows }));
  const out = lines(lastFrame());
  unmount();
  return out;
}

test('snapshot counts, in-flight, hosts by activity, waiting, medians and the rate window', () => {
  const snap = snapshot(scripted(), 4000);
  assert.equal(snap.done, 10);
  assert.equal(snap.ok, 4);
  assert.equal(snap.failed, 6);
  assert.equal(snap.inFlight, 3);
  assert.equal(snap.total, 40);
  assert.equal(snap.inputDone, false);
  assert.equal(snap.etaMs, null);
  assert.equal(snap.pagesPerSec, 2.5);
  assert.equal(snap.bytesPerSec, 1000);
  assert.deepEqual(
    snap.hosts.map((h) => [h.label, h.active, h.queued, h.done, h.failed, h.waiting]),
    [
      ['127.0.0.1:8080', 2, 7, 3, 0, true],
      ['127.0.0.2:8080', 1, 2, 1, 1, false],
      ['127.0.0.3:8080', 0, 0, 0, 2, false],
      ['a-really-long-host-name-that-goes-on-and-on.example.org:8080', 0, 0, 0, 1, false],
      ['https://example.com', 0, 0, 0, 1, false],
    ],
  );
  assert.equal(snap.hosts[0]!.medianMs, 200);
  assert.equal(snap.hosts[1]!.medianMs, 225); // failed attempts' latencies count too
  assert.equal(snap.waitingHosts, 1);
  assert.deepEqual(snap.classes, { '2xx': 4, '3xx': 0, '4xx': 1, '5xx': 1, other: 0 });
  assert.deepEqual(snap.netErrors, [['ETIMEDOUT', 2], ['ECONNREFUSED', 1], ['EINVALIDURL', 1]]);
  assert.deepEqual(snap.recent.map((f) => f.code), ['EHTTP', 'ETIMEDOUT', 'EINVALIDURL']);
});

test('pages/s looks only at the last 5 seconds; ETA appears once the input is fully read', () => {
  const s = createState(0, 4, 2);
  for (let t = 1; t <= 10; t++) {
    const perSecond = t <= 5 ? 10 : 2;
    for (let i = 0; i < perSecond; i++) visit(s, A, okRec(`${A}/${t}/${i}`));
    sample(s, t * 1000);
  }
  assert.equal(snapshot(s, 10_000).pagesPerSec, 2);
  fold.inputEnd(s, 80);
  assert.equal(snapshot(s, 10_000).etaMs, 10_000); // 20 left at 2/s
});

test('the frame shows totals, rates, busiest hosts, status classes and failures within 80 columns', () => {
  const frame = drawn(scripted(), 4000);
  const text = frame.join('\n');
  assert.match(frame[0]!, /10 \/ 40\+ \(reading input\)/);
  assert.match(text, /4 ok · 6 failed · 2\.5 pages\/s · 1000 B\/s · elapsed 0:04/);
  assert.match(text, /in flight 3 of 6 · 5 hosts · 1 waiting at --per-host 2/);
  assert.match(text, /host\s+active\s+queued\s+done\s+failed\s+median/);
  const rowA = frame.find((l) => l.includes('127.0.0.1:8080'));
  const rowB = frame.find((l) => l.includes('127.0.0.2:8080'));
  assert.match(rowA ?? '', /127\.0\.0\.1:8080\s+2\/2\s+7\s+3\s+0\s+200 ms\s+waiting$/);
  assert.match(rowB ?? '', /127\.0\.0\.2:8080\s+1\/2\s+2\s+1\s+1\s+225 ms$/);
  assert.ok(frame.some((l) => l.includes('https://example.com')), 'https origins keep their scheme');
  assert.ok(frame.includes('status 2xx 4 · 3xx 0 · 4xx 1 · 5xx 1'), 'status classes');
  assert.ok(frame.includes('errors ETIMEDOUT 2 · ECONNREFUSED 1 · EINVALIDURL 1'), 'network errors by count');
  const failures = frame.filter((l) => l.startsWith('✗'));
  assert.equal(failures.length, 3);
  assert.match(failures[0]!, /^✗ EHTTP 503 {5}http:\/\/127\.0\.0\.3:8080\/status\/503$/);
  assert.match(failures[1]!, /^✗ ETIMEDOUT {5}http:\/\/a-really-long.*…$/);
  assert.match(failures[2]!, /^✗ EINVALIDURL {3}not a url$/);
  assertFits(frame, 80);
});

test('the frame says when the input is read: percentage and ETA, then done', () => {
  const s = scripted();
  fold.inputEnd(s, 40);
  assert.match(drawn(s, 4000)[0]!, /10 \/ 40 {2}25% {2}ETA 0:12$/);
  s.finished = true;
  assert.match(drawn(s, 4000)[0]!, /10 \/ 40 {2}25% {2}done$/);
});

test('the stopping notice: finishing in-flight work, then forcing', () => {
  const s = scripted();
  fold.stopping(s, false);
  const graceful = drawn(s, 4000).join('\n');
  assert.match(graceful, /Stopping: finishing 3 in-flight requests · press Ctrl-C again to force\./);
  fold.stopping(s, true);
  const forced = drawn(s, 4000).join('\n');
  assert.match(forced, /Forcing stop: abandoning 3 in-flight requests\./);
  assert.doesNotMatch(forced, /press Ctrl-C again/);
  s.finished = true;
  const ended = drawn(s, 4000).join('\n');
  assert.match(ended, /Interrupted: stopped before the end of the input\./);
  assert.match(ended, /in flight 3 of 6 \(abandoned\)/);
  assert.doesNotMatch(ended, /waiting/, 'nothing waits once the crawl has ended');
  assert.match(ended.split('\n')[0]!, /10 \/ 40\+ {2}stopped$/);
});

test('narrow and short terminals: lines fit the width, the host table shrinks to fit the rows', () => {
  const s = scripted();
  const narrow = drawn(s, 4000, 60);
  assertFits(narrow, 60);
  assert.match(narrow.find((l) => l.includes('127.0.0.1')) ?? '', /^ {2}127\.0\.0\.1:8080\s+2\/2\s+7\s+3\s+0\s+waiting$/, 'host names stay whole');
  assert.ok(!narrow.some((l) => l.includes('median')), 'the median column goes first');
  assertFits(drawn(s, 4000, 40), 40);
  const snap = snapshot(s, 4000);
  assert.equal(hostRows(snap, 30), 5);
  assert.equal(hostRows(snap, 12), 2); // 12 rows − 1 spare − 9 fixed lines
  assert.equal(hostRows(snap, 8), 0);
  const short = drawn(s, 4000, 80, 10);
  assert.ok(short.length <= 10, `frame of ${short.length} lines fits 10 rows`);
});

test('control characters from the input never reach the terminal', () => {
  const s = createState(0, 4, 2);
  fold.done(s, null, failRec('evil\u001b[2Jline', 'EINVALIDURL'));
  const { lastFrame, unmount } = render(createElement(App, { snapshot: snapshot(s, 1000), width: 80, rows: 30 }));
  const frame = lastFrame() ?? '';
  unmount();
  assert.ok(!frame.includes('\u001b[2J'));
  assert.match(frame.replace(ANSI, ''), /evil\?\[2Jline/);
});

test('log lines: warn and above show as "level: msg" above the frame, lower levels are dropped', () => {
  assert.equal(logText(JSON.stringify({ level: 40, time: 1, msg: 'host slow' })), 'warn: host slow');
  assert.equal(logText(JSON.stringify({ level: 50, msg: 'disk full' })), 'error: disk full');
  assert.equal(logText(JSON.stringify({ level: 30, msg: 'info noise' })), null);
  assert.equal(logText(''), null);
  const s = scripted();
  const logs = { id: 1, lines: ['warn: host slow'] };
  const { lastFrame, unmount } = render(createElement(App, { snapshot: snapshot(s, 4000), width: 80, rows: 30, logs }));
  const frame = lines(lastFrame());
  unmount();
  const logAt = frame.indexOf('warn: host slow');
  const barAt = frame.findIndex((l) => l.includes('10 / 40+'));
  assert.ok(logAt >= 0 && logAt < barAt, 'the log line is above the frame');
});

function stateOf(ok: number, failures: [ErrorCode, number][]): ViewState {
  const s = createState(0, 16, 4);
  for (let i = 0; i < ok; i++) fold.done(s, A, okRec(`${A}/${i}`));
  for (const [code, n] of failures) for (let i = 0; i < n; i++) fold.done(s, A, failRec(`${A}/f${i}`, code, code === 'EHTTP' ? 500 : null));
  return s;
}

test('summary line: exact shape, failure codes by count, interrupted', () => {
  const s = stateOf(9950, [['ETIMEDOUT', 20], ['EHTTP', 30]]);
  assert.equal(summaryLine(snapshot(s, 12_300)), 'crawl: 10000 URLs in 12.3 s (813/s) · 9950 ok · 50 failed (30 EHTTP, 20 ETIMEDOUT)');
  const clean = stateOf(3, []);
  assert.equal(summaryLine(snapshot(clean, 1500)), 'crawl: 3 URLs in 1.5 s (2.0/s) · 3 ok · 0 failed');
  fold.stopping(clean, false);
  assert.equal(summaryLine(snapshot(clean, 1500)), 'crawl: 3 URLs in 1.5 s (2.0/s) · 3 ok · 0 failed · interrupted');
});

test('formatting helpers', () => {
  assert.equal(formatDuration(12_345), '12.3 s');
  assert.equal(formatDuration(83_000), '1 min 23 s');
  assert.equal(formatDuration(3_840_000), '1 h 04 min');
  assert.equal(formatClock(3_723_000), '1:02:03');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('abc', 4), 'abc');
});

test('when the view is drawn, and when plain runs print anything', () => {
  assert.equal(drawsView('auto', true, {}), true);
  assert.equal(drawsView('auto', true, { CI: '' }), true);
  assert.equal(drawsView('auto', true, { CI: 'true' }), false);
  assert.equal(drawsView('auto', false, {}), false);
  assert.equal(drawsView('always', false, { CI: 'true' }), true);
  assert.equal(drawsView('never', true, {}), false);
  assert.equal(printsPlain(true, 'warn'), true);
  assert.equal(printsPlain(false, 'warn'), false);
  assert.equal(printsPlain(false, 'info'), true);
  assert.equal(printsPlain(false, 'silent'), false);
});

/** A stand-in for process.stderr that records what is written. */
function fakeStream(isTTY: boolean, columns?: number): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = Object.assign(new EventEmitter(), {
    isTTY,
    columns,
    rows: columns === undefined ? undefined : 30,
    write(chunk: string, encodingOrCallback?: unknown, callback?: unknown): boolean {
      written.push(String(chunk));
      const cb = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      if (typeof cb === 'function') process.nextTick(() => (cb as () => void)());
      return true;
    },
  });
  return { stream: stream as unknown as NodeJS.WriteStream, written };
}

function options(emitter: CrawlEmitter, stream: NodeJS.WriteStream, extra: Partial<ProgressOptions>): ProgressOptions {
  return { emitter, stream, mode: 'auto', limit: 4, perHost: 2, env: {}, logLevel: 'warn', ...extra };
}

function crawlSome(emitter: CrawlEmitter): void {
  emitter.emit('read', 1);
  emitter.emit('read', 2);
  emitter.emit('inputEnd', 2);
  emitter.emit('queued', A);
  emitter.emit('start', A, `${A}/1`);
  emitter.emit('done', A, okRec(`${A}/1`));
  emitter.emit('queued', A);
  emitter.emit('start', A, `${A}/2`);
  emitter.emit('done', A, failRec(`${A}/2`, 'ETIMEDOUT'));
}

test('--progress never with info logs: plain text and the summary, no ANSI, no log sink', async () => {
  const emitter = new CrawlEmitter();
  const { stream, written } = fakeStream(false);
  const handle = await startProgress(options(emitter, stream, { mode: 'never', logLevel: 'info' }));
  assert.equal(handle.interactive, false);
  assert.equal(handle.logWrite, null);
  crawlSome(emitter);
  emitter.emit('stopping', false);
  await handle.finish();
  const out = written.join('');
  assert.ok(!out.includes('\u001b'), `no ANSI escape in ${JSON.stringify(out)}`);
  assert.match(out, /^crawl: 2 URLs in \d+\.\d s \([\d.]+\/s\) · 1 ok · 1 failed \(1 ETIMEDOUT\) · interrupted\n$/);
});

test('piped stderr at the default log level: nothing at all is written', async () => {
  const emitter = new CrawlEmitter();
  const { stream, written } = fakeStream(false);
  const handle = await startProgress(options(emitter, stream, { mode: 'auto' }));
  assert.equal(handle.interactive, false);
  crawlSome(emitter);
  await handle.finish();
  assert.deepEqual(written, []);
});

test('auto on a TTY under CI: plain lines, no view', async () => {
  const emitter = new CrawlEmitter();
  const { stream, written } = fakeStream(true, 80);
  const handle = await startProgress(options(emitter, stream, { env: { CI: 'true' } }));
  assert.equal(handle.interactive, false);
  crawlSome(emitter);
  await handle.finish();
  assert.ok(!written.join('').includes('\u001b'));
  assert.match(written.join(''), /crawl: 2 URLs in/);
});

test('plain progress line every 5 s while the crawl runs', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  let now = 0;
  const emitter = new CrawlEmitter();
  const { stream, written } = fakeStream(true, 80);
  const state = createState(now, 4, 2);
  const handle = startPlain(state, options(emitter, stream, { mode: 'never' }), () => now, () => {});
  fold.read(state, 3);
  for (let i = 0; i < 3; i++) visit(state, A, okRec(`${A}/${i}`));
  now = 5000;
  t.mock.timers.tick(5000);
  assert.deepEqual(written, ['crawl: 3/3+ done · 3 ok · 0 failed · 0.6/s\n']);
  assert.equal(plainLine(snapshot(state, 5000)), 'crawl: 3/3+ done · 3 ok · 0 failed · 0.6/s');
  await handle.finish();
  assert.equal(written.length, 2);
});

test('the Ink view on a TTY: frame, warn logs above it, final frame, then the summary', async () => {
  const emitter = new CrawlEmitter();
  const { stream, written } = fakeStream(true, 80);
  const handle = await startProgress(options(emitter, stream, { mode: 'auto' }));
  assert.equal(handle.interactive, true);
  assert.ok(handle.logWrite, 'the CLI gets a log sink');
  crawlSome(emitter);
  handle.logWrite(JSON.stringify({ level: 40, msg: 'retrying slow host' }) + '\n');
  handle.logWrite(JSON.stringify({ level: 30, msg: 'info noise' }) + '\n');
  await handle.finish();
  const out = written.join('');
  assert.match(out, /warn: retrying slow host/);
  assert.doesNotMatch(out, /info noise/);
  const finalFrame = out.lastIndexOf('2 / 2  100%  done');
  const summary = out.lastIndexOf('crawl: 2 URLs in');
  assert.ok(finalFrame > 0 && summary > finalFrame, 'the final frame stays, the summary follows it');
  assert.ok(out.indexOf('warn: retrying slow host') < finalFrame, 'logs are printed above the final frame');
  assert.match(out, /crawl: 2 URLs in [\d.]+ s \([\d.]+\/s\) · 1 ok · 1 failed \(1 ETIMEDOUT\)\n$/);
});

test('--log-file: the view is drawn but the CLI keeps its own log destination', async () => {
  const emitter = new CrawlEmitter();
  const { stream } = fakeStream(true, 80);
  const handle = await startProgress(options(emitter, stream, { mode: 'always', logFile: '/tmp/crawl.log' }));
  assert.equal(handle.interactive, true);
  assert.equal(handle.logWrite, null);
  await handle.finish();
});

test('--progress always without a TTY draws at 80 columns', async () => {
  const emitter = new CrawlEmitter();
  const { stream, written } = fakeStream(false);
  const handle = await startProgress(options(emitter, stream, { mode: 'always' }));
  assert.equal(handle.interactive, true);
  crawlSome(emitter);
  await handle.finish();
  const frame = lines(written.join(''));
  assert.ok(frame.some((l) => l.includes('2 / 2  100%  done')));
  assertFits(frame, 80);
});

/** Bare module names imported statically by a built module and, recursively, its relative imports. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  const bare = new Set<string>();
  if (seen.has(file)) return bare;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const m of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)) {
    const spec = (m[1] ?? m[2])!;
    if (spec.startsWith('.')) for (const b of staticImports(join(dirname(file), spec), seen)) bare.add(b);
    else bare.add(spec);
  }
  return bare;
}

test('plain runs never load React: the view entry reaches ink and react only through import()', () => {
  const entry = fileURLToPath(new URL('../src/view/index.js', import.meta.url));
  const bare = [...staticImports(entry)];
  const ui = bare.filter((b) => b === 'ink' || b === 'react' || b.startsWith('react/'));
  assert.deepEqual(ui, []);
  const live = fileURLToPath(new URL('../src/view/live.js', import.meta.url));
  assert.ok(staticImports(live).has('ink'), 'the walk does see static imports of ink');
});

test('a crawl over many hosts keeps a bounded number of host states, never a busy one, and still counts every host', () => {
  const s = createState(0, 16, 4);
  const busy = 'http://127.0.0.1:9000';
  fold.queued(s, busy);
  fold.queued(s, busy);
  fold.start(s, busy); // busy: 1 active, 1 queued, the whole time
  const hosts = 5 * MAX_HOSTS;
  for (let i = 0; i < hosts; i++) {
    const origin = `http://host-${i}.test:8080`;
    fold.queued(s, origin);
    fold.start(s, origin);
    fold.done(s, origin, okRec(`${origin}/`));
  }
  assert.ok(s.hosts.size <= MAX_HOSTS, `kept ${s.hosts.size} host states`);
  assert.ok(s.hosts.has(busy), 'the busy host is never forgotten');
  const snap = snapshot(s, 1000);
  assert.equal(snap.hostCount, hosts + 1, 'the host count covers forgotten hosts');
  assert.equal(snap.done, hosts);
  assert.equal(snap.hosts[0]?.label, '127.0.0.1:9000', 'the busiest host still leads the table');
});
