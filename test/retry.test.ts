// When to retry and how long to wait, without a server: Retry-After (RFC 9110 §10.2.3: delay-seconds
// or an HTTP-date), the jittered backoff with an injected random, and the last-attempt rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, MAX_RETRY_AFTER_MS, retryableError, retryableStatus, retryAfterMs } from '../src/fetch/retry.js';
import { retryDelay, type Attempt, type FetchedResponse } from '../src/fetch/fetch.js';

/** A fixed clock for HTTP-dates: Tue, 01 Dec 2026 12:00:00 GMT. */
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const httpDate = (offsetMs: number): string => new Date(NOW + offsetMs).toUTCString();

test('retryAfterMs: delay-seconds are milliseconds ×1000, surrounding spaces allowed', () => {
  assert.equal(retryAfterMs('0', NOW), 0);
  assert.equal(retryAfterMs('1', NOW), 1000);
  assert.equal(retryAfterMs('5', NOW), 5000);
  assert.equal(retryAfterMs(' 7 ', NOW), 7000);
  assert.equal(retryAfterMs('60', NOW), 60_000);
});

test('retryAfterMs: delay-seconds over the cap give MAX_RETRY_AFTER_MS', () => {
  assert.equal(MAX_RETRY_AFTER_MS, 60_000);
  assert.equal(retryAfterMs('61', NOW), MAX_RETRY_AFTER_MS);
  assert.equal(retryAfterMs('3600', NOW), MAX_RETRY_AFTER_MS);
  assert.equal(retryAfterMs('99999999999999999999', NOW), MAX_RETRY_AFTER_MS);
});

test('retryAfterMs: an HTTP-date is the time from the injected now until it', () => {
  assert.equal(httpDate(30_000), 'Tue, 01 Dec 2026 12:00:30 GMT');
  assert.equal(retryAfterMs(httpDate(30_000), NOW), 30_000);
  assert.equal(retryAfterMs(httpDate(1_000), NOW), 1_000);
  // The same header read a little later asks for less: `now` is what it is measured from.
  assert.equal(retryAfterMs(httpDate(30_000), NOW + 10_000), 20_000);
  // RFC 9110's obsolete forms, which recipients must accept (both name GMT).
  assert.equal(retryAfterMs('Tuesday, 01-Dec-26 12:00:45 GMT', NOW), 45_000);
});

test('retryAfterMs: an HTTP-date now or in the past is 0 (retry at once), one far ahead is capped', () => {
  assert.equal(retryAfterMs(httpDate(0), NOW), 0);
  assert.equal(retryAfterMs(httpDate(-5_000), NOW), 0);
  assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', NOW), 0);
  assert.equal(retryAfterMs(httpDate(61_000), NOW), MAX_RETRY_AFTER_MS);
  assert.equal(retryAfterMs(httpDate(24 * 3600_000), NOW), MAX_RETRY_AFTER_MS);
});

test('retryAfterMs: absent, empty or garbage is undefined, so the backoff applies', () => {
  assert.equal(retryAfterMs(undefined, NOW), undefined);
  assert.equal(retryAfterMs('', NOW), undefined);
  assert.equal(retryAfterMs('   ', NOW), undefined);
  assert.equal(retryAfterMs('soon', NOW), undefined);
  assert.equal(retryAfterMs('5s', NOW), undefined);
  assert.equal(retryAfterMs('1e3', NOW), undefined);
  assert.equal(retryAfterMs('0x10', NOW), undefined);
  assert.equal(retryAfterMs('12 foo', NOW), undefined);
});

test('retryAfterMs: neither delay-seconds nor an HTTP-date is undefined, even where Date.parse guesses a date', () => {
  // V8's Date.parse reads these as dates in 2001; RFC 9110 has delay-seconds = 1*DIGIT only.
  assert.equal(retryAfterMs('1.5', NOW), undefined);
  assert.equal(retryAfterMs('-5', NOW), undefined);
  assert.equal(retryAfterMs('tomorrow 1', NOW), undefined);
});

test('retryAfterMs: of several header values the first counts', () => {
  assert.equal(retryAfterMs(['3', '50'], NOW), 3000);
  assert.equal(retryAfterMs([httpDate(2_000), '50'], NOW), 2000);
  assert.equal(retryAfterMs(['soon', '50'], NOW), undefined);
  assert.equal(retryAfterMs([], NOW), undefined);
});

test('backoffMs: random 0 gives half the ceiling and random near 1 the ceiling, which starts at 250 ms and doubles', () => {
  const nearOne = () => 0.999_999_9;
  const zero = () => 0;
  const ceilings = [250, 500, 1000, 2000, 4000, 8000];
  ceilings.forEach((ceiling, i) => {
    const retry = i + 1;
    assert.equal(backoffMs(retry, zero), ceiling / 2, `retry ${retry}, random 0`);
    assert.equal(backoffMs(retry, nearOne), ceiling, `retry ${retry}, random ~1`);
    assert.equal(backoffMs(retry, () => 0.5), Math.round((ceiling * 3) / 4), `retry ${retry}, random 0.5`);
  });
});

test('backoffMs: the ceiling stops at 10 s however many retries', () => {
  for (const retry of [7, 8, 12, 40, 1000]) {
    assert.equal(backoffMs(retry, () => 0), 5000, `retry ${retry}, random 0`);
    assert.equal(backoffMs(retry, () => 0.999_999_9), 10_000, `retry ${retry}, random ~1`);
  }
});

test('backoffMs: an integer number of ms, never below half the ceiling nor above it, with the default random', () => {
  for (let i = 0; i < 500; i++) {
    const retry = 1 + (i % 8);
    const ceiling = Math.min(10_000, 250 * 2 ** (retry - 1));
    const ms = backoffMs(retry);
    assert.ok(Number.isInteger(ms), `${ms} is an integer`);
    assert.ok(ms >= ceiling / 2 && ms <= ceiling, `retry ${retry}: ${ms} in [${ceiling / 2}, ${ceiling}]`);
  }
});

test('retryableStatus: 408, 429, 500, 502, 503 and 504 are retried; success, redirects and other 4xx are not', () => {
  // 501, 505 and unassigned 5xx are left out: the rough-edges issue stops retrying them (curl's list).
  for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(retryableStatus(s), true, `${s}`);
  for (const s of [200, 204, 301, 304, 400, 401, 403, 404, 407, 409, 410, 428, 431, 499]) assert.equal(retryableStatus(s), false, `${s}`);
});

test('retryableError: timeouts, refused and reset connections are retried; DNS, redirect, body and unknown errors are not', () => {
  for (const c of ['ETIMEDOUT', 'ECONNREFUSED', 'ECONNRESET'] as const) assert.equal(retryableError(c), true, c);
  for (const c of ['ENOTFOUND', 'EREDIRECT', 'EHTTP', 'EBODY', 'EINVALIDURL', 'EUNKNOWN'] as const) assert.equal(retryableError(c), false, c);
});

function response(status: number, retryAfter?: number): Attempt {
  const r: FetchedResponse = { status, finalUrl: 'http://127.0.0.1/', redirects: 0, contentType: null, body: Buffer.alloc(0), bytes: 0, truncated: false };
  return retryAfter === undefined ? { kind: 'response', response: r } : { kind: 'response', response: r, retryAfter };
}

function failure(code: Parameters<typeof retryableError>[0]): Attempt {
  return { kind: 'error', code, message: 'x', at: { finalUrl: 'http://127.0.0.1/', redirects: 0 } };
}

function assertBackoff(delay: number | undefined, retry: number, what: string): void {
  const ceiling = Math.min(10_000, 250 * 2 ** (retry - 1));
  assert.ok(delay !== undefined && delay >= ceiling / 2 && delay <= ceiling, `${what}: ${delay} in [${ceiling / 2}, ${ceiling}]`);
}

test('retryDelay: --retries N allows N+1 attempts; after the last one nothing is retried', () => {
  const retries = 2;
  for (const a of [response(503), response(429, 1234), failure('ECONNRESET')]) {
    assert.notEqual(retryDelay(a, 1, retries), undefined, 'after attempt 1');
    assert.notEqual(retryDelay(a, 2, retries), undefined, 'after attempt 2');
    assert.equal(retryDelay(a, 3, retries), undefined, 'after attempt 3, the last');
    assert.equal(retryDelay(a, 4, retries), undefined);
  }
  assert.equal(retryDelay(response(503), 1, 0), undefined, '--retries 0: the first attempt is the last');
});

test('retryDelay: a server-given Retry-After wins over the backoff, 0 included', () => {
  assert.equal(retryDelay(response(429, 1234), 1, 2), 1234);
  assert.equal(retryDelay(response(503, 0), 2, 2), 0);
  assert.equal(retryDelay(response(503, MAX_RETRY_AFTER_MS), 1, 5), MAX_RETRY_AFTER_MS);
});

test('retryDelay: without Retry-After the backoff of that attempt number applies', () => {
  for (const attempts of [1, 2, 3, 4]) {
    assertBackoff(retryDelay(response(500), attempts, 10), attempts, `500 after attempt ${attempts}`);
    assertBackoff(retryDelay(failure('ETIMEDOUT'), attempts, 10), attempts, `ETIMEDOUT after attempt ${attempts}`);
  }
});

test('retryDelay: success, a non-retryable status and a non-retryable error are final at once', () => {
  assert.equal(retryDelay(response(200), 1, 5), undefined);
  assert.equal(retryDelay(response(404), 1, 5), undefined);
  assert.equal(retryDelay(response(404, 1000), 1, 5), undefined, 'a Retry-After on a 404 does not make it retryable');
  assert.equal(retryDelay(failure('ENOTFOUND'), 1, 5), undefined);
  assert.equal(retryDelay(failure('EBODY'), 1, 5), undefined);
});
