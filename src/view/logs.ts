// Turns the CLI's pino JSON log lines into the plain text shown above the live frame:
// `warn: msg` for level ≥ warn, nothing for lower levels.
import { sanitize } from './format.js';

const WARN = 40;
const NAMES: Record<number, string> = { 40: 'warn', 50: 'error', 60: 'fatal' };

/** The text to show for one log line, or null to drop it. Lines that are not pino JSON show as they are. */
export function logText(line: string): string | null {
  const trimmed = line.trim();
  if (trimmed === '') return null;
  let entry: unknown;
  try {
    entry = JSON.parse(trimmed);
  } catch {
    return sanitize(trimmed);
  }
  if (typeof entry !== 'object' || entry === null) return sanitize(trimmed);
  const { level, msg, err } = entry as { level?: unknown; msg?: unknown; err?: { message?: unknown } };
  if (typeof level !== 'number' || level < WARN) return null;
  const name = NAMES[Math.min(60, Math.floor(level / 10) * 10)] ?? 'warn';
  const text = typeof msg === 'string' && msg !== '' ? msg : typeof err?.message === 'string' ? err.message : trimmed;
  return sanitize(`${name}: ${text}`);
}

/** All texts to show from one write (a write may carry several newline-separated lines). */
export function logTexts(chunk: string): string[] {
  const out: string[] = [];
  for (const line of chunk.split('\n')) {
    const text = logText(line);
    if (text !== null) out.push(text);
  }
  return out;
}
