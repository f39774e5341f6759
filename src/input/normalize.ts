// Turns an input line into the URL the crawl fetches: WHATWG-parsed, http(s) only, fragment dropped.
// A line with whitespace inside is refused (the parser would quietly fetch "%20"); a line that is a
// bare host (top-sites lists are bare domains) gets the scheme --default-scheme names, or a hint.

export type Normalized = { ok: true; url: URL; href: string } | { ok: false; reason: string };

export type DefaultScheme = 'http' | 'https';

const WHITESPACE = /\s/;
/**
 * A line that starts with a host and no scheme: `example.com`, `www.example.com:8080/a`, `localhost:3000`,
 * `//example.com/x`, `[::1]:80`. A name needs a dot (or is localhost) so `mailto:x` and `urn:a:b` are not hosts.
 */
const BARE_HOST = /^(?:\/\/)?(?:[^\s/?#:@[\]]+\.[^\s/?#:@[\]]*[^\s/?#:@[\].]|localhost|\[[0-9a-f:.]+\])(?::\d{0,5})?(?:[/?#]|$)/i;

/** `text` with the scheme it lacks, when it is a bare host; else undefined. */
function withScheme(text: string, scheme: DefaultScheme): string | undefined {
  if (!BARE_HOST.test(text)) return undefined;
  return `${scheme}:${text.startsWith('//') ? '' : '//'}${text}`;
}

function noScheme(text: string): Normalized | undefined {
  const guess = withScheme(text, 'http');
  if (guess === undefined) return undefined;
  const shown = guess.length > 200 ? `${guess.slice(0, 200)}…` : guess;
  return { ok: false, reason: `no scheme; did you mean ${shown}? (--default-scheme)` };
}

export function normalizeUrl(text: string, defaultScheme?: DefaultScheme): Normalized {
  if (WHITESPACE.test(text)) return { ok: false, reason: 'contains whitespace' };
  if (defaultScheme !== undefined) text = withScheme(text, defaultScheme) ?? text;
  let url: URL;
  try {
    url = new URL(text); // one parse; invalid lines are rare, so the throw is cheaper than canParse + parse
  } catch {
    return noScheme(text) ?? { ok: false, reason: 'not an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // `example.com:8080` parses, as the scheme "example.com".
    return noScheme(text) ?? { ok: false, reason: `unsupported scheme "${url.protocol.slice(0, -1)}", only http and https` };
  }
  if (url.hostname === '') return { ok: false, reason: 'no host' };
  if (text.includes('#')) url.hash = '';
  return { ok: true, url, href: url.href };
}
