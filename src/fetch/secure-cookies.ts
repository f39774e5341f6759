// "Leave Secure cookies alone" (RFC 6265bis §5.7, step 16; curl does it too): a cookie from a plain
// http response is ignored when a Secure cookie of the same name is in the jar for a domain that
// domain-matches its domain (either way) on a path its path falls under. tough-cookie keeps plain
// http from *setting* a Secure cookie but lets it overwrite or shadow one; this index closes that.
// It holds the Secure cookies' (name, domain, path), grouped by name and the domain's last two
// labels, so the check costs a map look-up, not a walk over the jar.

export interface CookieId {
  key: string;
  domain: string;
  path: string;
}

function domainMatches(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

/** RFC 6265 §5.1.4: `path` path-matches `cookiePath`. */
function pathMatches(path: string, cookiePath: string): boolean {
  if (path === cookiePath) return true;
  if (!path.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || path.charCodeAt(cookiePath.length) === 47;
}

/** Domains that can domain-match each other share their last two labels (an IP: itself). */
function group(key: string, domain: string): string {
  const labels = domain.split('.');
  return `${key}\0${labels.slice(-2).join('.')}`;
}

export class SecureCookieIndex {
  private readonly groups = new Map<string, CookieId[]>();

  get size(): number {
    return this.groups.size;
  }

  add(c: CookieId): void {
    const g = group(c.key, c.domain);
    const list = this.groups.get(g);
    if (!list) this.groups.set(g, [c]);
    else if (!list.some((e) => e.domain === c.domain && e.path === c.path)) list.push(c);
  }

  /**
   * True when a non-Secure cookie `c` that came over plain http must be ignored. `present` says
   * whether an indexed Secure cookie is still in the jar (unexpired); entries that are not are dropped.
   */
  shadows(c: CookieId, present: (e: CookieId) => boolean): boolean {
    const g = group(c.key, c.domain);
    const list = this.groups.get(g);
    if (!list) return false;
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i]!;
      if (!domainMatches(e.domain, c.domain) || !pathMatches(c.path, e.path)) continue;
      if (present(e)) return true;
      list.splice(i, 1);
    }
    if (list.length === 0) this.groups.delete(g);
    return false;
  }
}
