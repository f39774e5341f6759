// The validated options of one crawl, their defaults, and the parsers that reject bad values.
// The CLI's help text is built from the same defaults, so docs and behaviour cannot drift.

export type ProgressMode = 'auto' | 'always' | 'never';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface ResolveRule {
  host: string;
  port: number;
  address: string;
}

export interface Options {
  /** Input files; `-` is stdin. Empty means stdin. */
  inputs: string[];
  /** Most requests in flight over all hosts. Default 16. */
  limit: number;
  /** Most requests in flight to one origin; also the Agent's connections per origin. Default 4. */
  perHost: number;
  /** Bound on one attempt, connect to last body byte, in ms. Default 30000. */
  timeout: number;
  /** Most redirect hops followed. Default 10. */
  maxRedirects: number;
  /** Extra request headers, in order. */
  headers: [string, string][];
  userAgent: string;
  /** A Netscape cookie file or a `n=v; n2=v2` string to start the jar from. */
  cookie?: string;
  /** Write the jar here (Netscape format) at the end. */
  cookieJar?: string;
  /** `--select name=css[@attr]`, in order. */
  select: SelectRule[];
  links: boolean;
  output?: string;
  logLevel: LogLevel;
  logFile?: string;
  fail: boolean;
  progress: ProgressMode;
  /** Retries after network errors, timeouts, 408, 429, 5xx. Default 2. */
  retries: number;
  /** Most requests started per second per origin; 0 is unlimited. */
  rate: number;
  /** Most decoded body bytes read per page. Default 5 MiB. */
  maxBytes: number;
  resume: boolean;
  resolve: ResolveRule[];
}

export interface SelectRule {
  name: string;
  css: string;
  attr?: string;
}

export const DEFAULTS = {
  limit: 16,
  perHost: 4,
  timeout: 30_000,
  maxRedirects: 10,
  retries: 2,
  maxBytes: 5 * 1024 * 1024,
  progress: 'auto' as ProgressMode,
  logLevel: 'warn' as LogLevel,
};

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'always', 'never'];

/** Thrown for a value the user gave that cannot be used; the CLI prints it as one line, exit 2. */
export class UsageError extends Error {}

export function parseIntOption(name: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new UsageError(`${name} must be an integer ≥ ${min}, got "${value}"`);
    }
    return n;
  };
}

export function parseRate(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--rate must be a positive number, got "${value}"`);
  return n;
}

export function parseHeader(value: string): [string, string] {
  const i = value.indexOf(':');
  const name = i > 0 ? value.slice(0, i).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new UsageError(`--header must look like "Name: value", got "${value}"`);
  }
  return [name, value.slice(i + 1).trim()];
}

export function parseSelect(value: string): SelectRule {
  const eq = value.indexOf('=');
  const name = eq > 0 ? value.slice(0, eq).trim() : '';
  let css = eq > 0 ? value.slice(eq + 1).trim() : '';
  let attr: string | undefined;
  const at = css.lastIndexOf('@');
  if (at > 0 && /^[\w:-]+$/.test(css.slice(at + 1))) {
    attr = css.slice(at + 1);
    css = css.slice(0, at).trim();
  }
  if (!name || !css) throw new UsageError(`--select must look like "name=css" or "name=css@attr", got "${value}"`);
  return attr === undefined ? { name, css } : { name, css, attr };
}

export function parseResolve(value: string): ResolveRule {
  // host:port:addr, addr may be an IPv6 literal in brackets.
  const m = /^([^:\s]+):(\d{1,5}):(\[[0-9a-fA-F:.]+\]|[^\s:]+)$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new UsageError(`--resolve must look like "host:port:address", got "${value}"`);
  }
  return { host: m[1]!.toLowerCase(), port, address: m[3]!.replace(/^\[|\]$/g, '') };
}

export function parseChoice<T extends string>(name: string, choices: readonly T[]): (value: string) => T {
  return (value) => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new UsageError(`${name} must be one of ${choices.join(', ')}, got "${value}"`);
  };
}
