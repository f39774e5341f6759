// A set of seen URLs that stores two 32-bit hashes per URL (8 bytes), not the strings, so memory
// stays flat for lists of millions of URLs. A false "seen" needs a 64-bit collision: ~1e-9 at 200k URLs.

const EMPTY = 0;

function hashes(s: string): [number, number] {
  // FNV-1a and a multiplicative variant, both over UTF-16 code units.
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  // 0 marks an empty slot; nudge a real hash away from it.
  return [a >>> 0 || 1, b >>> 0];
}

export class SeenSet {
  private table = new Uint32Array(2 * 1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `s`; true when it was not there before. */
  add(s: string): boolean {
    const [a, b] = hashes(s);
    if ((this.count + 1) * 2 > this.table.length / 2) this.grow();
    return this.insert(this.table, a, b);
  }

  has(s: string): boolean {
    const [a, b] = hashes(s);
    const t = this.table;
    const mask = t.length / 2 - 1;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const x = t[2 * i]!;
      if (x === EMPTY) return false;
      if (x === a && t[2 * i + 1] === b) return true;
    }
  }

  private insert(t: Uint32Array, a: number, b: number): boolean {
    const mask = t.length / 2 - 1;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const x = t[2 * i]!;
      if (x === EMPTY) {
        t[2 * i] = a;
        t[2 * i + 1] = b;
        if (t === this.table) this.count++;
        return true;
      }
      if (x === a && t[2 * i + 1] === b) return false;
    }
  }

  private grow(): void {
    const old = this.table;
    const next = new Uint32Array(old.length * 2);
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== EMPTY) this.insert(next, old[i]!, old[i + 1]!);
    }
    this.table = next;
  }
}
