// Text helpers for the view and the summary: durations, bytes, rates, host labels, and cutting
// strings to a terminal width. No ANSI here: colour is the components' business.

/** Summary-style duration: `12.3 s`, `4 min 05 s`, `1 h 04 min`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 59.95) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  if (total < 3600) return `${Math.floor(total / 60)} min ${pad2(total % 60)} s`;
  const minutes = Math.round(total / 60);
  return `${Math.floor(minutes / 60)} h ${pad2(minutes % 60)} min`;
}

/** Clock-style duration for the live view: `0:07`, `12:34`, `1:02:03`. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s)}` : `${m}:${pad2(s)}`;
}

/** Bytes with binary units: `512 B`, `1.5 KiB`, `23 MiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Math.max(0, n);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value).toString()} ${units[unit]}`;
}

/** A per-second rate: whole numbers from 10 up, one decimal below (`2.5`), `0` when idle. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0';
  if (perSecond >= 9.95) return Math.round(perSecond).toString();
  return perSecond.toFixed(1);
}

/** `http://127.0.0.1:8080` → `127.0.0.1:8080`; other schemes keep their origin as is. */
export function hostLabel(origin: string): string {
  return origin.startsWith('http://') ? origin.slice('http://'.length) : origin;
}

/** Replace control characters (ESC included) so text from the input cannot drive the terminal. */
export function sanitize(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Cut to at most `width` code points, marking the cut with `…`. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length <= width) return text;
  return chars.slice(0, width - 1).join('') + '…';
}

/** Pad (or cut) to exactly `width` code points, left-aligned. */
export function padEnd(text: string, width: number): string {
  const cut = truncate(text, width);
  return cut + ' '.repeat(Math.max(0, width - [...cut].length));
}

/** Right-align in `width` code points (never cuts: numbers must stay readable). */
export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - [...text].length)) + text;
}

function pad2(n: number): string {
  return n.toString().padStart(2, '0');
}
