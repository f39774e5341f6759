// The view's "what is stuck" lines, its retry count and final rate, and the frame's height rule:
// never more than rows − 1 lines, whatever it has to show (issue 14).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import type { CrawlRecord } from '../src/record.js';
import { createState, fold, snapshot } from '../src/view/state.js';
import { App } from '../src/view/App.js';
import { finalRate } from '../src/view/Bar.js';

const A = 'http://127.0.0.1:8080';

function okRec(url: string): CrawlRecord {
  return { url, ok: true, status: 200, bytes: 1000, ms: 100, finalUrl: url, redirects: 0, contentType: 'text/html', title: null };
}

test('a request running over 5 s is listed with its elapsed time and attempt; a retry counts and its next attempt says 2 of 3', () => {
  const s = createState(0, 4, 2, 3);
  for (let i = 1; i <= 20; i++) fold.read(s, i);
  fold.queued(s, A);
  fold.start(s, A, `${A}/slow`, 0);
  fold.queued(s, A);
  fold.start(s, A, `${A}/fast`, 3000);
  assert.deepEqual(snapshot(s, 4000).slow, [], 'nothing is slow at 4 s with many URLs left');
  assert.deepEqual(snapshot(s, 6000).slow.map((r) => [r.url, r.elapsedMs, r.attempt, r.attempts]), [
    [`${A}/slow`, 6000, 1, 3],
    [`${A}/fast`, 3000, 1, 3],
  ]);
  fold.retry(s, A, `${A}/slow`);
  assert.equal(snapshot(s, 6000).retries, 1);
  assert.deepEqual(snapshot(s, 6000).slow, [], 'waiting for a retry is not running');
  fold.start(s, A, `${A}/slow`, 6500);
  fold.done(s, A, okRec(`${A}/fast`));
  assert.equal(snapshot(s, 9000).slow.length, 0);
  assert.deepEqual(snapshot(s, 12_000).slow.map((r) => [r.url, r.elapsedMs, r.attempt]), [[`${A}/slow`, 5500, 2]]);

  const frame = render(createElement(App, { snapshot: snapshot(s, 12_000), width: 100, rows: 30 }));
  const text = frame.lastFrame() ?? '';
  frame.unmount();
  assert.match(text, /^slow +5\.5 s {2}attempt 2 of 3 {2}http:\/\/127\.0\.0\.1:8080\/slow$/m);
  assert.match(text, /· 1 retry/);
});

test('with few URLs left the longest-running are listed even before 5 s', () => {
  const s = createState(0, 4, 2, 1);
  fold.read(s, 2);
  fold.inputEnd(s, 2);
  fold.queued(s, A);
  fold.start(s, A, `${A}/a`, 0);
  assert.deepEqual(snapshot(s, 1200).slow.map((r) => [r.url, r.elapsedMs, r.attempts]), [[`${A}/a`, 1200, 1]]);
  s.finished = true;
  assert.deepEqual(snapshot(s, 1300).slow, [], 'the final frame lists nothing as stuck');
});

test('the final frame\'s rate is the whole run\'s and says over what time', () => {
  const s = createState(0, 4, 2);
  for (let i = 0; i < 30; i++) {
    fold.queued(s, A);
    fold.start(s, A, `${A}/${i}`, 0);
    fold.done(s, A, okRec(`${A}/${i}`));
  }
  s.finished = true;
  const snap = snapshot(s, 12_000);
  assert.equal(finalRate(snap), '2.5 pages/s over 0:12 · 2.4 KiB/s');
  const frame = render(createElement(App, { snapshot: snap, width: 100, rows: 30 }));
  const text = frame.lastFrame() ?? '';
  frame.unmount();
  assert.match(text, /30 ok · 0 failed · 2\.5 pages\/s over 0:12/);
});

test('the frame never takes more than rows − 1 lines: hosts, failures, errors, slow lines and the stop notice give way', () => {
  const s = createState(0, 8, 2, 3);
  for (let i = 1; i <= 100; i++) fold.read(s, i);
  for (let h = 1; h <= 6; h++) {
    const origin = `http://127.0.0.${h}:8080`;
    fold.queued(s, origin);
    fold.start(s, origin, `${origin}/hang`, 0);
    fold.queued(s, origin);
  }
  for (let i = 0; i < 3; i++) fold.done(s, null, { url: `http://127.0.0.9:1/${i}`, ok: false, status: null, finalUrl: null, redirects: 0, error: { code: 'ECONNREFUSED', message: 'refused' } });
  fold.stopping(s, false);
  const snap = snapshot(s, 9000);
  assert.equal(snap.slow.length, 3);
  for (let rows = 3; rows <= 30; rows++) {
    const frame = render(createElement(App, { snapshot: snap, width: 100, rows }));
    const lines = (frame.lastFrame() ?? '').split('\n');
    frame.unmount();
    assert.ok(lines.length <= rows - 1, `${lines.length} lines in ${rows} rows:\n${lines.join('\n')}`);
    if (rows >= 6) assert.match(lines.join('\n'), /Stopping: finishing/, `the stop notice stays in ${rows} rows`);
  }
  const tall = render(createElement(App, { snapshot: snap, width: 100, rows: 30 }));
  const all = tall.lastFrame() ?? '';
  tall.unmount();
  for (const part of [/^errors ECONNREFUSED 3$/m, /✗ ECONNREFUSED/, /^slow +9\.0 s/m, /^ {2}host +active/m]) assert.match(all, part);
});

test('URL passwords are [redacted] in the failure and slow lines the view shows', () => {
  const s = createState(0, 4, 2, 1);
  fold.read(s, 10);
  fold.queued(s, A);
  fold.start(s, A, 'http://me:hunter2@127.0.0.1:8080/slow', 0);
  fold.done(s, null, { url: 'http://me:hunter2@127.0.0.9:1/x', ok: false, status: null, finalUrl: null, redirects: 0, error: { code: 'ECONNREFUSED', message: 'refused' } });
  const frame = render(createElement(App, { snapshot: snapshot(s, 6000), width: 100, rows: 30 }));
  const text = frame.lastFrame() ?? '';
  frame.unmount();
  assert.match(text, /✗ ECONNREFUSED +http:\/\/me:\[redacted\]@127\.0\.0\.9:1\/x/);
  assert.match(text, /slow .* http:\/\/me:\[redacted\]@127\.0\.0\.1:8080\/slow/);
  assert.doesNotMatch(text, /hunter2/);
});
