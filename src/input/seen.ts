// A set of seen URLs that stores two 32-bit hashes per URL (8 bytes), not the strings, so memory
// stays flat for lists of millions of URLs. A false "seen" needs a 64-bit collision: ~1e-9 at 200k URLs.

const EMPTY = 0;

/** The two hashes of the last `hash()` call: module state, so a look-up allocates nothing. */
let ha = 0;
let hb = 0;

function hash(s: string): void {
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
  ha = a >>> 0 || 1;
  hb = b >>> 0;
}

/** Most slots in use before the table doubles. Linear probing stays short (~3 probes a hit) below it. */
const MAX_LOAD = 0.8;

export class SeenSet {
  private table = new Uint32Array(2 * 1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `s`; true when it was not there before. */
  add(s: string): boolean {
    hash(s);
    if (this.count + 1 > (this.table.length / 2) * MAX_LOAD) this.grow();
    return this.insert(this.table, ha, hb);
  }

  has(s: string): boolean {
    hash(s);
    const a = ha;
    const b = hb;
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
