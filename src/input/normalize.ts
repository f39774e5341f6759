// Turns an input line into the URL the crawl fetches: WHATWG-parsed, http(s) only, fragment dropped.

export type Normalized = { ok: true; url: URL; href: string } | { ok: false; reason: string };

export function normalizeUrl(text: string): Normalized {
  let url: URL;
  try {
    url = new URL(text); // one parse; invalid lines are rare, so the throw is cheaper than canParse + parse
  } catch {
    return { ok: false, reason: 'not an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `unsupported scheme "${url.protocol.slice(0, -1)}", only http and https` };
  }
  if (url.hostname === '') return { ok: false, reason: 'no host' };
  if (text.includes('#')) url.hash = '';
  return { ok: true, url, href: url.href };
}
