// When to retry and how long to wait: exponential backoff with full jitter, Retry-After honoured.
import type { ErrorCode } from '../record.js';

const BASE_MS = 250;
const MAX_BACKOFF_MS = 10_000;
/** A server asking for more than this gets this; a crawl must not sleep for an hour on one URL. */
export const MAX_RETRY_AFTER_MS = 60_000;
/** RFC 9110's three HTTP-date forms all open with a day name and hold hh:mm:ss; Date.parse alone takes "1.5" for a date. */
const HTTP_DATE = /^[a-z]{3,9},?\s.*\d\d:\d\d:\d\d/i;

/** curl's --retry list: a 501, 505 or 999 will not change on a second try. */
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export function retryableStatus(status: number): boolean {
  return RETRY_STATUSES.has(status);
}

export function retryableError(code: ErrorCode): boolean {
  return code === 'ETIMEDOUT' || code === 'ECONNREFUSED' || code === 'ECONNRESET';
}

/** Milliseconds a Retry-After header asks for (seconds or HTTP date), capped; undefined if absent or bad. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    if (!HTTP_DATE.test(trimmed)) return undefined;
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** Backoff before retry number `retry` (1-based): full jitter over an exponential ceiling. */
export function backoffMs(retry: number, random = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_MS * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
