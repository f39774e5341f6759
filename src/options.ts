// Every command-line option, declared once: the `Options` a run gets (each field with its default)
// and the FLAGS table (flag, help, default, parser) that the CLI builds commander's options from and
// reads the values back through. Adding a flag is a field here, an entry in FLAGS, and its use.
import { readFileSync } from 'node:fs';
import { isIP, isIPv6 } from 'node:net';
import type { SelectRule } from './extract/dom.js';
import { PROXY_SCHEMES } from './fetch/proxy.js';
import type { ResolveRule } from './fetch/session.js';
import type { DefaultScheme } from './input/normalize.js';
import { LOG_LEVELS, type LogLevel } from './log.js';
import { UserError } from './user-error.js';
import { PROGRESS_MODES, type ProgressMode } from './view/mode.js';

export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface Options {
  /** Input files, read in order; `-` is stdin. Default: none, which reads stdin. */
  inputs: string[];
  /** `--limit`: most requests in flight over all hosts. Default 16. */
  limit: number;
  /** `--per-host`: most requests in flight to one origin; also the keep-alive connections per origin. Default 4. */
  perHost: number;
  /** `--timeout`: bound on one attempt, connect to last body byte, in ms. Default 30000. */
  timeout: number;
  /** `--max-redirects`: most redirect hops followed. Default 10. */
  maxRedirects: number;
  /** `--header`: extra request headers, in the order given. Default none. */
  headers: [string, string][];
  /** `--user-agent`. Default `crawl/<version>`. */
  userAgent: string;
  /** `--cookie`: a Netscape cookie file or a `n=v; n2=v2` string to start the jar from. Default none. */
  cookie: string | undefined;
  /** `--cookie-jar`: write the jar here (Netscape format) at the end. Default none. */
  cookieJar: string | undefined;
  /** `--select name=css[@attr]`, in order. Default none. */
  select: SelectRule[];
  /** `--links`: add the page's absolute links. Default false. */
  links: boolean;
  /** `--output`: write records to this file. Default stdout. */
  output: string | undefined;
  /** `--retries`: retries after network errors, timeouts, 408, 429, 500, 502, 503, 504. Default 2. */
  retries: number;
  /** `--rate`: most requests started per second per origin; 0 is unlimited. Default 0. */
  rate: number;
  /** `--max-bytes`: most decoded body bytes read per page. Default 5 MiB. */
  maxBytes: number;
  /** `--resume`: skip URLs that already have a record in the output file. Default false. */
  resume: boolean;
  /** `--retry-failed`: like --resume, and the ok:false records are removed from the file and their URLs fetched again. Default false. */
  retryFailed: boolean;
  /** `--resolve host:port:addr` rules. Default none. */
  resolve: ResolveRule[];
  /** `--dns-servers addr[:port],…`: DNS servers to ask instead of the system's, as c-ares takes them. Default none. */
  dnsServers: string[];
  /** `--log-level`. Default warn. */
  logLevel: LogLevel;
  /** `--log-file`: logs there instead of stderr. Default none. */
  logFile: string | undefined;
  /** `--fail`: exit 1 when a record is not ok. Default false. */
  fail: boolean;
  /** `--progress`: the live view on stderr. Default auto. */
  progress: ProgressMode;
  /** `--insecure`: use a certificate that fails verification; the record's tls says why. Default false. */
  insecure: boolean;
  /** `--cacert`: PEM certificates trusted in addition to Node's roots. Default none. */
  cacert: string | undefined;
  /** `--cert`: a client certificate (PEM), with its key here or in --key. Default none. */
  cert: string | undefined;
  /** `--key`: the client certificate's private key (PEM). Default none. */
  key: string | undefined;
  /** `--proxy`: http://, https://, socks5:// or socks5h:// proxy for every request; overrides HTTP(S)_PROXY. Default none. */
  proxy: string | undefined;
  /** `--noproxy`: comma-separated hosts that skip the proxy; overrides NO_PROXY. Default none. */
  noproxy: string | undefined;
  /** `--default-scheme`: the scheme put before an input line that is a bare host (`example.com`). Default none: such a line is EINVALIDURL with a hint. */
  defaultScheme: DefaultScheme | undefined;
}

/** Thrown for a flag value that cannot be used; commander reports it with the flag, exit 2. */
export class UsageError extends UserError {}

/** A value parser: one occurrence of the flag (`name` is its long form) onto what came before. */
export type Parse<T> = (value: string, previous: T, name: string) => T;

/** One command-line flag, all of it in one place. */
export interface Flag<T> {
  /** commander's flags string: `-l, --limit <n>`; without `<…>` the flag is a switch (true). */
  flags: string;
  help: string;
  /** The value when the flag is not given. */
  default: T;
  /** The default as --help shows it; numbers and strings are shown as they are, others not at all. */
  defaultHelp?: string;
  /** Parses a value; a repeatable flag appends to `previous`. Absent for a switch. */
  parse?: Parse<T>;
}

export type FlagKey = Exclude<keyof Options, 'inputs'>;

// The parsers. Each throws UsageError with a message that names the flag and the bad value.

export function int(min: number, max = Number.MAX_SAFE_INTEGER): Parse<number> {
  return (value, _previous, name) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
      throw new UsageError(`${name} must be an integer ${range}, got "${value}"`);
    }
    return n;
  };
}

export const positiveNumber: Parse<number> = (value, _previous, name) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got "${value}"`);
  return n;
};

export function choice<T extends string>(choices: readonly T[]): Parse<T> {
  return (value, _previous, name) => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new UsageError(`${name} must be one of ${choices.join(', ')}, got "${value}"`);
  };
}

export const text: Parse<string | undefined> = (value) => value;

/** A repeatable flag: each occurrence parsed by `one` and appended. */
export function repeatable<T>(one: (value: string, name: string) => T): Parse<T[]> {
  return (value, previous, name) => [...previous, one(value, name)];
}

/** Control characters a header value cannot carry (CR and LF would end the header; tab is fine). */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** `value` as it goes in a header: refused with a control character; non-ASCII as its UTF-8 bytes (as curl sends argv). */
function headerValue(value: string, name: string, shown: string): string {
  if (CONTROL.test(value)) throw new UsageError(`${name} must not contain CR, LF or other control characters, got ${JSON.stringify(shown)}`);
  return /[^\x00-\x7f]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;
}

/** Headers the HTTP client (undici) refuses or manages itself: a request with one would fail every time. */
const FORBIDDEN_HEADERS = new Set(['connection', 'content-length', 'expect', 'keep-alive', 'transfer-encoding', 'upgrade']);

export function parseHeader(value: string, name: string): [string, string] {
  const i = value.indexOf(':');
  const header = i > 0 ? value.slice(0, i).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) {
    throw new UsageError(`${name} must look like "Name: value", got "${value}"`);
  }
  if (FORBIDDEN_HEADERS.has(header.toLowerCase())) {
    throw new UsageError(`${name} cannot set ${header}: the HTTP connection manages it`);
  }
  return [header, headerValue(value.slice(i + 1).trim(), name, value)];
}

export const parseUserAgent: Parse<string> = (value, _previous, name) => headerValue(value, name, value);

export const parseCookie: Parse<string | undefined> = (value, _previous, name) => {
  if (CONTROL.test(value)) throw new UsageError(`${name} must not contain CR, LF or other control characters, got ${JSON.stringify(value)}`);
  return value;
};

/** setTimeout's limit: a longer delay fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

export function parseSelect(value: string, name: string): SelectRule {
  const eq = value.indexOf('=');
  const field = eq > 0 ? value.slice(0, eq).trim() : '';
  let css = eq > 0 ? value.slice(eq + 1).trim() : '';
  let attr: string | undefined;
  const at = css.lastIndexOf('@');
  if (at > 0 && /^[\w:-]+$/.test(css.slice(at + 1))) {
    attr = css.slice(at + 1);
    css = css.slice(0, at).trim();
  }
  if (!field || !css) throw new UsageError(`${name} must look like "name=css" or "name=css@attr", got "${value}"`);
  return attr === undefined ? { name: field, css } : { name: field, css, attr };
}

/** -x: a proxy URL like curl's: no scheme means http://; http, https, socks5 and socks5h only. */
export const parseProxy: Parse<string | undefined> = (value, _previous, name) => {
  const v = value.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `http://${v}`);
  } catch {
    throw new UsageError(`${name} must be a proxy URL like http://host:port or socks5h://host:port, got "${value}"`);
  }
  if (!(PROXY_SCHEMES as readonly string[]).includes(url.protocol)) {
    throw new UsageError(`${name}: unsupported proxy scheme "${url.protocol.slice(0, -1)}"; use http, https, socks5 or socks5h`);
  }
  if (!url.hostname) throw new UsageError(`${name} must name the proxy host, got "${value}"`);
  return url.href;
};

export function parseResolve(value: string, name: string): ResolveRule {
  // host:port:addr, addr may be an IPv6 literal in brackets.
  const m = /^([^:\s]+):(\d{1,5}):(\[[0-9a-fA-F:.]+\]|[^\s:]+)$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new UsageError(`${name} must look like "host:port:address", got "${value}"`);
  }
  return { host: m[1]!.toLowerCase(), port, address: m[3]!.replace(/^\[|\]$/g, '') };
}

/**
 * curl's `--dns-servers 1.1.1.1,[::1]:5353,10.0.0.1:53`: comma-separated IP addresses, each with an
 * optional port (an IPv6 one in brackets when it has a port).
 */
export function parseDnsServers(value: string, _previous: string[], name: string): string[] {
  return value.split(',').map((part) => {
    const s = part.trim();
    const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(s);
    const v4 = /^([0-9.]+)(?::(\d{1,5}))?$/.exec(s);
    const [address, port] = bracketed ? [bracketed[1]!, bracketed[2]] : v4 ? [v4[1]!, v4[2]] : [s, undefined];
    const p = port === undefined ? 53 : Number(port);
    if (isIP(address) === 0 || p < 1 || p > 65535 || (bracketed && !isIPv6(address))) {
      throw new UsageError(`${name} takes IP addresses with an optional port ("10.0.0.1", "10.0.0.1:5353", "[::1]:53"), got "${s}"`);
    }
    return isIPv6(address) ? (port === undefined ? address : `[${address}]:${p}`) : `${address}:${p}`;
  });
}

const SCHEMES = ['http', 'https'] as const;

/** Every flag, in the order --help lists them. */
export const FLAGS: { [K in FlagKey]: Flag<Options[K]> } = {
  limit: { flags: '-l, --limit <n>', help: 'most requests in flight at once over all hosts', default: 16, parse: int(1) },
  perHost: { flags: '-p, --per-host <n>', help: 'most requests in flight to one origin (scheme, host, port)', default: 4, parse: int(1) },
  timeout: { flags: '-t, --timeout <ms>', help: 'bound on one attempt, connect to last body byte', default: 30_000, parse: int(1, MAX_TIMER_MS) },
  maxRedirects: { flags: '--max-redirects <n>', help: 'most redirect hops; more, a loop or a non-http(s) target is EREDIRECT', default: 10, parse: int(0) },
  headers: { flags: '-H, --header <"Name: value">', help: 'extra request header, repeatable', default: [], parse: repeatable(parseHeader) },
  userAgent: { flags: '-A, --user-agent <ua>', help: 'User-Agent header', default: `crawl/${VERSION}`, parse: parseUserAgent },
  cookie: { flags: '-b, --cookie <file|"n=v; n2=v2">', help: 'start the cookie jar from a Netscape cookie file, or send this cookie string', default: undefined, parse: parseCookie },
  cookieJar: { flags: '-c, --cookie-jar <file>', help: 'write the cookie jar there (Netscape format) at the end', default: undefined, parse: text },
  select: { flags: '--select <name=css[@attr]>', help: 'extract the first match\'s text (or attribute) into fields.name, repeatable', default: [], parse: repeatable(parseSelect) },
  links: { flags: '--links', help: 'add the page\'s absolute http(s) links as links', default: false },
  output: { flags: '-o, --output <file>', help: 'write records there instead of stdout', default: undefined, parse: text },
  retries: { flags: '-r, --retries <n>', help: 'retries after network errors, timeouts, 408, 429, 500, 502, 503 and 504', default: 2, parse: int(0) },
  rate: { flags: '--rate <n>', help: 'most requests started per second per host', default: 0, defaultHelp: 'unlimited', parse: positiveNumber },
  maxBytes: { flags: '--max-bytes <n>', help: 'most decoded body bytes read per page; the record says truncated', default: 5 * 1024 * 1024, parse: int(1) },
  resume: { flags: '--resume', help: 'with -o: skip URLs that already have a record in the file, append the rest', default: false },
  retryFailed: { flags: '--retry-failed', help: 'with -o: like --resume, but records with ok: false are removed from the file and fetched again', default: false },
  resolve: { flags: '--resolve <host:port:addr>', help: 'connect to addr for host:port, like curl; repeatable', default: [], parse: repeatable(parseResolve) },
  dnsServers: { flags: '--dns-servers <addr[:port],...>', help: 'ask these DNS servers instead of the system\'s, like curl', default: [], parse: parseDnsServers },
  logLevel: { flags: '--log-level <level>', help: 'pino log level (JSON on stderr)', default: 'warn', parse: choice(LOG_LEVELS) },
  logFile: { flags: '--log-file <file>', help: 'write logs there instead of stderr', default: undefined, parse: text },
  fail: { flags: '--fail', help: 'exit 1 when any record has ok: false', default: false },
  defaultScheme: {
    flags: '--default-scheme <http|https>',
    help: 'put this scheme before input lines that are a bare host (example.com)',
    default: undefined,
    parse: (value, _previous, name) => choice(SCHEMES)(value, 'http', name),
  },
  progress: { flags: '--progress <mode>', help: 'live progress view on stderr: auto (TTY and not CI), always, never', default: 'auto', parse: choice(PROGRESS_MODES) },
  insecure: { flags: '-k, --insecure', help: 'use a certificate that fails verification anyway; the record\'s tls.error says why', default: false },
  cacert: { flags: '--cacert <file>', help: 'trust the PEM certificates in file, in addition to Node\'s bundled roots', default: undefined, parse: text },
  cert: { flags: '--cert <file>', help: 'client certificate (PEM) to present to https servers', default: undefined, parse: text },
  key: { flags: '--key <file>', help: 'private key (PEM) of --cert, if not in its file', default: undefined, parse: text },
  proxy: { flags: '-x, --proxy <url>', help: 'proxy for every request: http://, https://, socks5:// (names resolved here), socks5h:// (by the proxy); overrides HTTP(S)_PROXY', default: undefined, parse: parseProxy },
  noproxy: { flags: '--noproxy <hosts>', help: 'comma-separated hosts (and their subdomains) that skip the proxy, * for all; overrides NO_PROXY', default: undefined, parse: text },
};

/** The rules between flags, checked once all are parsed. */
export function checkOptions(o: Options): void {
  if (o.resume && !o.output) throw new UsageError('--resume needs -o FILE: it reads the records already there');
  if (o.key && !o.cert) throw new UsageError('--key needs --cert: it is the key of a client certificate');
  if (o.retryFailed && !o.output) throw new UsageError('--retry-failed needs -o FILE: it reads the records already there');
}
