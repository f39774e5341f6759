// The session's one cookie jar (tough-cookie, RFC 6265): stores every Set-Cookie, answers the Cookie
// header for a URL, and reads/writes the Netscape cookie-file format that curl and wget use.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type * as ToughCookie from 'tough-cookie';
import { writeFileAtomic } from '../atomic.js';
import { ioMessage } from '../io-message.js';
import { UserError } from '../user-error.js';
import { SecureCookieIndex, type CookieId } from './secure-cookies.js';

/**
 * tough-cookie (and its public-suffix data) is loaded on the first cookie, synchronously through its
 * CommonJS build: a crawl that never meets a cookie saves its start-up time and ~15 MB of memory.
 */
let tough: typeof ToughCookie | undefined;
function lib(): typeof ToughCookie {
  tough ??= createRequire(import.meta.url)('tough-cookie') as typeof ToughCookie;
  return tough;
}

/** Raised for a cookie file that cannot be read or written; the CLI turns it into exit 2. */
export class CookieFileError extends UserError {}

const HTTP_ONLY_PREFIX = '#HttpOnly_';

/**
 * Browsers' bounds on what a server may make a client store and send back (RFC 6265 §6.1 minimums,
 * as Chrome and Firefox apply them): a cookie whose name + value exceeds 4096 bytes is ignored, and a
 * domain keeps at most 180 cookies, the oldest evicted first.
 *
 * Header values are byte strings here: undici reads them as Latin-1 (one char per byte) and writes
 * them back the same way, so UTF-8 bytes in a value go back on the wire unchanged; the cookie
 * files are read and written as Latin-1 too, so the -c jar holds those very bytes.
 */
export const MAX_COOKIE_BYTES = 4096;
export const MAX_COOKIES_PER_DOMAIN = 180;

/** Bytes of name + value in a Set-Cookie header (a byte string): the part before the first ";", "=" not counted. */
function nameValueBytes(setCookie: string): number {
  const semi = setCookie.indexOf(';');
  const pair = (semi === -1 ? setCookie : setCookie.slice(0, semi)).trim();
  return pair.includes('=') ? pair.length - 1 : pair.length;
}

/** A JS string as the byte string of its UTF-8 encoding (for values typed on the command line). */
function utf8Bytes(text: string): string {
  return /[^\x00-\x7f]/.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text;
}

const HOST = /^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?\.?)+$|^\[[0-9a-f:.]+\]$|^[0-9a-f:]+$/i;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const FLAG = /^(?:TRUE|FALSE)$/i;

/** Why a Netscape cookie-file line (without its #HttpOnly_ prefix) cannot be used, or '' when it can. */
function badCookieLine(line: string): string {
  const parts = line.split('\t');
  if (parts.length < 7) return `not a cookie line: 7 tab-separated fields expected (domain, subdomains, path, secure, expiry, name, value), got ${parts.length}`;
  const [domain, subdomains, path, secure, expiry, name] = parts as [string, string, string, string, string, string];
  const value = parts.slice(6).join('\t');
  if (!HOST.test(domain.replace(/^\./, ''))) return `bad domain ${JSON.stringify(domain.slice(0, 80))}`;
  if (!FLAG.test(subdomains)) return `the subdomains field must be TRUE or FALSE, got ${JSON.stringify(subdomains.slice(0, 20))}`;
  if (!path.startsWith('/')) return `the path must start with "/", got ${JSON.stringify(path.slice(0, 80))}`;
  if (!FLAG.test(secure)) return `the secure field must be TRUE or FALSE, got ${JSON.stringify(secure.slice(0, 20))}`;
  if (!/^-?\d+$/.test(expiry.trim())) return `the expiry must be a number of seconds, got ${JSON.stringify(expiry.slice(0, 20))}`;
  if (name === '' || /[\s;=]/.test(name) || CONTROL.test(name)) return `bad cookie name ${JSON.stringify(name.slice(0, 80))}`;
  if (CONTROL.test(value) || value.includes(';')) return `the value of ${name.slice(0, 80)} has a control character or ";"`;
  return '';
}

export class Jar {
  private jarInstance: ToughCookie.CookieJar | undefined;
  private memory: ToughCookie.MemoryCookieStore | undefined;
  /** Cookies ever stored; while 0, no request pays for a jar look-up. */
  private stored = 0;
  /** A `-b "n=v; n2=v2"` string, sent with every request as curl does. */
  private fixed = '';
  /** The Secure cookies stored, so plain http cannot overwrite or shadow them. */
  private readonly secure = new SecureCookieIndex();

  private get jar(): ToughCookie.CookieJar {
    if (!this.jarInstance) {
      this.memory = new (lib().MemoryCookieStore)();
      this.jarInstance = new (lib().CookieJar)(this.memory, { allowSecureOnLocal: false, looseMode: true });
    }
    return this.jarInstance;
  }

  /** Evicts the oldest cookies of `domain` beyond MAX_COOKIES_PER_DOMAIN. */
  private bound(domain: string | null | undefined): void {
    const byPath = domain ? this.memory?.idx[domain] : undefined;
    if (!byPath) return;
    const all: ToughCookie.Cookie[] = [];
    for (const byKey of Object.values(byPath)) all.push(...Object.values(byKey));
    if (all.length <= MAX_COOKIES_PER_DOMAIN) return;
    const born = (c: ToughCookie.Cookie): number => (c.creation instanceof Date ? c.creation.getTime() : 0);
    all.sort((a, b) => born(a) - born(b) || (a.creationIndex ?? 0) - (b.creationIndex ?? 0));
    for (const old of all.slice(0, all.length - MAX_COOKIES_PER_DOMAIN)) {
      this.memory!.removeCookie(old.domain!, old.path!, old.key, () => undefined);
    }
  }

  /** The Cookie header for `url`, or '' when none applies. */
  header(url: string): string {
    if (this.stored === 0) return this.fixed;
    const fromJar = this.jar.getCookieStringSync(url);
    if (!this.fixed) return fromJar;
    return fromJar ? `${this.fixed}; ${fromJar}` : this.fixed;
  }

  /** Stores the response's Set-Cookie headers for `url`; malformed or rejected cookies are ignored. */
  store(setCookie: string | string[] | undefined, url: string): void {
    if (setCookie === undefined) return;
    const all = typeof setCookie === 'string' ? [setCookie] : setCookie;
    const plainHttp = url.startsWith('http:');
    for (const c of all) {
      if (nameValueBytes(c) > MAX_COOKIE_BYTES) continue;
      if (plainHttp && this.secure.size > 0 && this.shadowsSecure(c, url)) continue;
      const cookie = this.jar.setCookieSync(c, url, { ignoreError: true });
      this.kept(cookie);
      if (cookie) this.bound(cookie.domain);
    }
  }

  /** Counts a stored cookie and indexes it when it is Secure. */
  private kept(cookie: ToughCookie.Cookie | undefined): void {
    if (!cookie) return;
    this.stored++;
    if (cookie.secure && cookie.domain) this.secure.add({ key: cookie.key, domain: cookie.domain, path: cookie.path ?? '/' });
  }

  /** Whether a Set-Cookie from plain http `url` would overwrite or shadow a Secure cookie (then it is ignored). */
  private shadowsSecure(setCookie: string, url: string): boolean {
    const cookie = lib().Cookie.parse(setCookie, { loose: true });
    if (!cookie || cookie.secure) return false; // a Secure one over http is refused by tough-cookie anyway
    const u = new URL(url);
    const domain = (cookie.domain ?? u.hostname).replace(/^\./, '').toLowerCase();
    const path = cookie.path?.startsWith('/') ? cookie.path : lib().defaultPath(u.pathname);
    return this.secure.shadows({ key: cookie.key, domain, path }, (e) => this.present(e));
  }

  /** An unexpired cookie with this name, domain and path is in the jar. */
  private present(e: CookieId): boolean {
    let found: ToughCookie.Cookie | undefined;
    let answered = false;
    this.jar.store.findCookie(e.domain, e.path, e.key, (err, c) => {
      answered = true;
      if (!err) found = c ?? undefined;
    });
    if (!answered) return true; // an asynchronous store: keep the Secure cookie safe
    return found !== undefined && found.secure && found.TTL() > 0;
  }

  /**
   * `-b`: a Netscape cookie file if `spec` names a readable file, else a `n=v; n2=v2` string. A line
   * that is not a cookie line is a CookieFileError naming the file and line; returns a warning when
   * the file has no cookie line at all.
   */
  async load(spec: string): Promise<string | undefined> {
    let text: string;
    try {
      text = (await readFile(spec)).toString('latin1');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (spec.includes('=') && (code === 'ENOENT' || code === 'ENAMETOOLONG')) {
        this.fixed = utf8Bytes(spec.split(';').map((s) => s.trim()).filter((s) => s.includes('=')).join('; '));
        return undefined;
      }
      throw new CookieFileError(`cannot read cookie file ${spec}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    const lines = text.split(/\r?\n/);
    let cookies = 0;
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      if (raw.trim() === '' || (raw.startsWith('#') && !raw.startsWith(HTTP_ONLY_PREFIX))) continue;
      const bad = badCookieLine(raw.startsWith(HTTP_ONLY_PREFIX) ? raw.slice(HTTP_ONLY_PREFIX.length) : raw);
      if (bad) throw new CookieFileError(`cookie file ${spec} line ${i + 1}: ${bad}`);
      this.loadLine(raw);
      cookies++;
    }
    return cookies === 0 ? `cookie file ${spec} has no cookie lines (Netscape format: 7 tab-separated fields)` : undefined;
  }

  private loadLine(raw: string): void {
    let line = raw;
    let httpOnly = false;
    if (line.startsWith(HTTP_ONLY_PREFIX)) {
      httpOnly = true;
      line = line.slice(HTTP_ONLY_PREFIX.length);
    } else if (line.startsWith('#') || line.trim() === '') {
      return;
    }
    const parts = line.split('\t');
    if (parts.length < 7) return;
    const [domainField, subdomains, path, secure, expiry, key, ...rest] = parts as [string, string, string, string, string, string, ...string[]];
    const domain = domainField.replace(/^\./, '').toLowerCase();
    const seconds = Number(expiry);
    const cookie = new (lib().Cookie)({
      key,
      value: rest.join('\t'),
      path: path || '/',
      secure: secure.toUpperCase() === 'TRUE',
      httpOnly,
      expires: seconds > 0 ? new Date(seconds * 1000) : 'Infinity',
    });
    if (subdomains.toUpperCase() === 'TRUE') cookie.domain = domain;
    const scheme = cookie.secure ? 'https' : 'http';
    const host = domain.includes(':') && !domain.startsWith('[') ? `[${domain}]` : domain;
    this.kept(this.jar.setCookieSync(cookie, `${scheme}://${host}${cookie.path ?? '/'}`, { ignoreError: true }));
  }

  /** `-c`: every cookie in the jar, in the Netscape format curl reads. */
  async save(path: string): Promise<void> {
    const lines = ['# Netscape HTTP Cookie File', '# Written by crawl. Edit at your own risk.', ''];
    const cookies = this.jarInstance?.serializeSync()?.cookies ?? [];
    const now = Date.now();
    for (const c of cookies) {
      const cookie = lib().Cookie.fromJSON(c);
      if (!cookie || !cookie.domain) continue;
      const expires = expirySeconds(cookie, now);
      if (expires === null) continue; // expired, or deleted with Max-Age=0 (a logout): gone
      const hostOnly = cookie.hostOnly === true;
      const domain = (hostOnly ? '' : '.') + cookie.domain;
      lines.push([
        (cookie.httpOnly ? HTTP_ONLY_PREFIX : '') + domain,
        hostOnly ? 'FALSE' : 'TRUE',
        cookie.path ?? '/',
        cookie.secure ? 'TRUE' : 'FALSE',
        String(expires),
        cookie.key,
        cookie.value,
      ].join('\t'));
    }
    // The jar holds session secrets: 0600, and atomic, so a full disk leaves the old jar, not half of one.
    try {
      await writeFileAtomic(path, Buffer.from(lines.join('\n') + '\n', 'latin1'), { mode: 0o600 });
    } catch (err) {
      throw new CookieFileError(`cannot write cookie jar ${path}: ${ioMessage(err)}`);
    }
  }
}

/**
 * A cookie's expiry for the Netscape file, in epoch seconds: 0 for a session cookie, null when it has
 * expired (Max-Age=0 or an Expires in the past deletes a cookie). Max-Age counts from the cookie's
 * creation, which tough-cookie keeps; the file has only an absolute time.
 */
function expirySeconds(cookie: ToughCookie.Cookie, now: number): number | null {
  let ms: number;
  if (typeof cookie.maxAge === 'number') {
    const from = cookie.creation instanceof Date ? cookie.creation.getTime() : now;
    ms = cookie.maxAge > 0 ? from + cookie.maxAge * 1000 : -Infinity;
  } else if (cookie.expires instanceof Date) {
    ms = cookie.expires.getTime();
  } else {
    return 0;
  }
  return ms > now ? Math.max(1, Math.floor(ms / 1000)) : null;
}
