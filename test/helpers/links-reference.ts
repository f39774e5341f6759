// The oracle the link tests compare against: every href through the WHATWG URL parser, http(s)
// only, fragment dropped, the first of equal links kept.

export function referenceLinks(raws: Iterable<string>, base: string | URL): string[] {
  const out = new Set<string>();
  for (const raw of raws) {
    let u: URL;
    try {
      u = new URL(raw, base);
    } catch {
      continue;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') continue;
    u.hash = '';
    out.add(u.href);
  }
  return [...out];
}
