// The one-line texts printed without the Ink view: the end-of-crawl summary (its shape is
// documented in the README) and the periodic plain progress line.
import type { Snapshot } from './state.js';
import { formatDuration, formatRate } from './format.js';

/** `crawl: 10000 URLs in 12.3 s (812/s) · 9950 ok · 50 failed (30 EHTTP, 20 ETIMEDOUT)[ · interrupted]` */
export function summaryLine(s: Snapshot): string {
  const seconds = s.elapsedMs / 1000;
  const rate = seconds > 0 ? s.done / seconds : 0;
  let line = `crawl: ${s.done} URLs in ${formatDuration(s.elapsedMs)} (${formatRate(rate)}/s) · ${s.ok} ok · ${s.failed} failed`;
  if (s.failed > 0) line += ` (${s.failCodes.map(([code, n]) => `${n} ${code}`).join(', ')})`;
  if (s.stopping !== 'no') line += ' · interrupted';
  return line;
}

/** `crawl: 1234/5000+ done · 1200 ok · 34 failed · 812/s`; `+` while the input is still being read. */
export function plainLine(s: Snapshot): string {
  const total = `${s.total}${s.inputDone ? '' : '+'}`;
  return `crawl: ${s.done}/${total} done · ${s.ok} ok · ${s.failed} failed · ${formatRate(s.pagesPerSec)}/s`;
}
