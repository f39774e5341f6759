// Turns an input line into the URL the crawl fetches: WHATWG-parsed, http(s) only, fragment dropped.

export type Normalized = { ok: true; url: URL; href: string } | { ok: false; reason: string };

export function normalizeUrl(text: string): Normalized {
  if (!URL.canParse(text)) return { ok: false, reason: 'not an absolute URL' };
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `unsupported scheme "${url.protocol.slice(0, -1)}", only http and https` };
  }
  if (url.hostname === '') return { ok: false, reason: 'no host' };
  url.hash = '';
  return { ok: true, url, href: url.href };
}
