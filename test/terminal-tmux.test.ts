// The terminal where everyone starts (issue 14): `crawl urls.txt` with stdout and stderr on one
// tmux pane. Every record line is printed whole above the live frame (every pane line starting with
// `{`, scrollback included, is JSON, one per URL); a request that runs long shows with its elapsed
// time and attempt; and in a pane as short as the frame, the scrollback survives and the summary
// gets a line of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSite } from '../fixtures/site.js';
import { capture, hasTmux, quote, waitForScreen } from './helpers/tmux.js';
import { runCli } from './helpers/cli.js';
import { closedPort } from './helpers/resilience.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Starts `script` in a detached tmux session of `cols`×`rows` without a status line. */
function startPane(session: string, cols: number, rows: number, script: string): void {
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', String(cols), '-y', String(rows), 'sh', '-c', script, ';', 'set-option', '-t', session, 'status', 'off']);
}

function crawlCommand(args: string[]): string {
  // CI is unset for the child: under CI, Ink would hold every frame back until the end.
  return `cd ${quote(REPO)} && env -u CI -u CONTINUOUS_INTEGRATION ${[process.execPath, 'bin/crawl.js', ...args].map(quote).join(' ')}`;
}

test('stdout on the pane: every record line whole and JSON (scrollback included), one per URL; a slow request shows its elapsed time and attempt', async (t) => {
  if (!hasTmux()) {
    t.skip('tmux not installed');
    return;
  }
  const site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'], log: false });
  const dir = mkdtempSync(join(tmpdir(), 'crawl-tmux-'));
  const session = `crawl-term-${process.pid}`;
  try {
    const slow = site.url('127.0.0.2', '/page/999?delay=7000&pad=slow');
    const urls = [slow, ...Array.from({ length: 40 }, (_, i) => site.url(i % 2 === 0 ? '127.0.0.1' : '127.0.0.2', `/page/${i + 1}?delay=150&run=term`))];
    const list = join(dir, 'urls.txt');
    writeFileSync(list, urls.join('\n') + '\n');
    startPane(session, 100, 30, `${crawlCommand([list, '--progress', 'always', '--limit', '4'])}; echo "[exit $?]"; sleep 30`);

    const mid = await waitForScreen(session, (s) => /slow +\d+\.\d s +attempt 1 of 3 +http:\/\/127\.0\.0\.2:\d+\/page\/999/.test(s), 20_000, 'the slow request', true);
    assert.doesNotMatch(mid, /crawl: \d+ URLs in/, `no summary while running:\n${mid}`);

    const end = await waitForScreen(session, (s) => /\[exit \d+\]/.test(s), 30_000, 'the end of the crawl', true);
    assert.match(end, /\[exit 0\]/);
    assert.match(end, /crawl: 41 URLs in [\d.]+ s .* · 41 ok · 0 failed/, `the summary:\n${end}`);
    assert.match(end, /pages\/s over \d+:\d\d/, `the final frame says over what time its rate is:\n${end}`);
    const all = capture(session, { joined: true, all: true }).split('\n');
    const json = all.filter((l) => l.startsWith('{'));
    const seen = json.map((l) => {
      try {
        return (JSON.parse(l) as { url: string }).url;
      } catch {
        assert.fail(`a pane line starting with { is not whole JSON:\n${l}\n--- pane with history ---\n${all.join('\n')}`);
      }
    });
    assert.equal(seen.length, urls.length, `one JSON line per URL:\n${all.join('\n')}`);
    assert.deepEqual(new Set(seen), new Set(urls));
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pane exactly as tall as the frame: the scrollback is kept and the summary gets its own line', async (t) => {
  if (!hasTmux()) {
    t.skip('tmux not installed');
    return;
  }
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  const dead = await closedPort(['127.0.0.1']);
  const dir = mkdtempSync(join(tmpdir(), 'crawl-tmux-'));
  const session = `crawl-short-${process.pid}`;
  try {
    // Failures fill the frame's failure and error lines, so the frame wants more rows than 8.
    const urls = [
      ...Array.from({ length: 3 }, (_, i) => `http://127.0.0.1:${dead}/x${i}`),
      ...Array.from({ length: 24 }, (_, i) => site.url('127.0.0.1', `/page/${i + 1}?delay=150&run=short`)),
    ];
    const list = join(dir, 'urls.txt');
    writeFileSync(list, urls.join('\n') + '\n');
    const marks = 'i=1; while [ $i -le 40 ]; do echo "MARK-$i"; i=$((i+1)); done';
    startPane(session, 100, 8, `${marks}; ${crawlCommand([list, '--progress', 'always', '--retries', '0', '--limit', '2', '-o', join(dir, 'out.ndjson')])}; echo "[exit $?]"; sleep 30`);
    const end = await waitForScreen(session, (s) => /\[exit \d+\]/.test(s), 30_000, 'the end of the crawl', true);
    assert.match(end, /\[exit 0\]/);
    const all = capture(session, { joined: true, all: true }).split('\n');
    for (let i = 1; i <= 40; i++) assert.ok(all.includes(`MARK-${i}`), `MARK-${i} is still in the scrollback:\n${all.join('\n')}`);
    assert.ok(all.some((l) => /^crawl: 27 URLs in .* · 24 ok · 3 failed/.test(l)), `the summary starts a line of its own:\n${all.join('\n')}`);
    assert.equal(all.filter((l) => /27 \/ 27/.test(l)).length, 1, `one final frame:\n${all.join('\n')}`);
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stdin a terminal and no input given: one line says crawl reads stdin; Ctrl-D at once: "no URLs in input", exit 0', async (t) => {
  if (!hasTmux()) {
    t.skip('tmux not installed');
    return;
  }
  const session = `crawl-stdin-${process.pid}`;
  try {
    startPane(session, 100, 20, `${crawlCommand(['--progress', 'never'])}; echo "[exit $?]"; sleep 30`);
    const waiting = await waitForScreen(session, (s) => s.includes('reading URLs from stdin'), 15_000, 'the stdin notice', true);
    assert.match(waiting, /^reading URLs from stdin \(end with Ctrl-D\)$/m);
    assert.doesNotMatch(waiting, /\[exit/, 'it waits for input');
    execFileSync('tmux', ['send-keys', '-t', session, 'C-d']);
    const end = await waitForScreen(session, (s) => /\[exit \d+\]/.test(s), 15_000, 'the end', true);
    assert.match(end, /^no URLs in input$/m);
    assert.match(end, /\[exit 0\]/);
    assert.equal((end.match(/reading URLs from stdin/g) ?? []).length, 1);
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
  }
});

test('empty input (a pipe, blank lines and comments only): "no URLs in input" on stderr, nothing on stdout, exit 0; no stdin notice for a pipe', async () => {
  for (const stdin of ['', '\n\n# only a comment\n   \n']) {
    const r = await runCli(['--progress', 'never'], { stdin });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'no URLs in input\n');
  }
});
