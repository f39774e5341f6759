// How many requests the process's descriptor limit (`ulimit -n`) leaves room for. A crawl holds at
// most --limit busy sockets and --limit idle ones (sockets.ts), plus a few dozen descriptors of its
// own (stdio, the event loop, DNS, output and log files): 2 × --limit + 32 in all.
import { readFileSync } from 'node:fs';

/** Descriptors that are not sockets to servers. */
export const OWN_DESCRIPTORS = 32;

/** The soft limit on open files (Node has already raised it to the hard limit), or undefined where unknown. */
export function descriptorLimit(limitsFile = '/proc/self/limits'): number | undefined {
  let text: string;
  try {
    text = readFileSync(limitsFile, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(text);
  if (!m || m[1] === 'unlimited') return undefined;
  return Number(m[1]);
}

/** The descriptors `limit` requests need. */
export function descriptorsFor(limit: number): number {
  return 2 * limit + OWN_DESCRIPTORS;
}

/** The largest --limit that fits `fds` descriptors (at least 1). */
export function limitFor(fds: number): number {
  return Math.max(1, Math.floor((fds - OWN_DESCRIPTORS) / 2));
}
