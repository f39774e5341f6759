// A small Dockerfile reader: instructions (continuations joined, comments dropped) grouped
// into stages. Shared by the static test and the buildah run, which needs the FROM images.

export interface Instruction {
  /** Upper-cased keyword, e.g. `RUN`. */
  keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface Stage {
  /** The image reference after FROM (flags such as --platform removed). */
  image: string;
  /** The `AS name`, if any. */
  name?: string;
  /** Instructions after FROM, up to the next FROM. */
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  /** Instructions before the first FROM (ARG only, in a valid file). */
  preamble: Instruction[];
  stages: Stage[];
}

/** Splits a Dockerfile into instructions, joining `\` continuations and dropping comments. */
export function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  let buffer = '';
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const trimmed = raw.trim();
    // Comment lines are dropped, also in the middle of a continued instruction.
    if (trimmed.startsWith('#')) continue;
    if (buffer === '' && trimmed === '') continue;
    if (buffer === '') start = i + 1;
    const continued = /\\\s*$/.test(raw);
    const piece = continued ? raw.replace(/\\\s*$/, '') : raw;
    buffer = buffer === '' ? piece.trim() : `${buffer} ${piece.trim()}`;
    if (!continued) {
      push(buffer, start);
      buffer = '';
    }
  }
  if (buffer !== '') push(buffer, start);
  return out;

  function push(text: string, line: number): void {
    const match = /^(\S+)\s*(.*)$/s.exec(text);
    if (!match) return;
    out.push({ keyword: (match[1] ?? '').toUpperCase(), args: (match[2] ?? '').trim(), line });
  }
}

/** Groups instructions into build stages. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of parseInstructions(text)) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const image = words[0] ?? '';
      const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS');
      const stage: Stage = { image, instructions: [] };
      if (asIndex >= 0 && words[asIndex + 1] !== undefined) stage.name = words[asIndex + 1];
      stages.push(stage);
      continue;
    }
    const current = stages[stages.length - 1];
    if (current) current.instructions.push(ins);
    else preamble.push(ins);
  }
  return { preamble, stages };
}

/** The external base images: FROM references that are not earlier stage names, deduplicated. */
export function baseImages(parsed: ParsedDockerfile): string[] {
  const stageNames = new Set<string>();
  const images: string[] = [];
  for (const stage of parsed.stages) {
    if (!stageNames.has(stage.image) && stage.image !== 'scratch' && !images.includes(stage.image)) {
      images.push(stage.image);
    }
    if (stage.name !== undefined) stageNames.add(stage.name);
  }
  return images;
}

/** `LABEL a=b c="d e"` pairs of one instruction's arguments, quotes removed. */
export function parseLabels(args: string): Map<string, string> {
  const labels = new Map<string, string>();
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|\S+)/g;
  for (let m = re.exec(args); m !== null; m = re.exec(args)) {
    const key = m[1] ?? '';
    let value = m[2] ?? '';
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    labels.set(key, value);
  }
  return labels;
}

/** A tag's `major.minor.patch` (e.g. `node:20.20.2-bookworm-slim` → [20, 20, 2]), or undefined. */
export function tagVersion(image: string): [number, number, number] | undefined {
  const colon = image.lastIndexOf(':');
  if (colon < 0 || image.slice(colon).includes('/')) return undefined;
  const match = /^(\d+)\.(\d+)\.(\d+)(?:-|$)/.exec(image.slice(colon + 1));
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/**
 * Whether `version` satisfies an engines range made of `>=`, `>`, `<`, `<=`, `=` or `^`
 * comparators joined by spaces (all must hold) and `||` (any alternative). Throws on syntax it
 * does not know, so an unusual range fails the test loudly instead of passing by accident.
 */
export function satisfies(version: [number, number, number], range: string): boolean {
  return range.split('||').some((alternative) => {
    const comparators = alternative.trim().split(/\s+/).filter((c) => c !== '');
    if (comparators.length === 0) throw new Error(`empty range alternative in ${JSON.stringify(range)}`);
    return comparators.every((comparator) => {
      const m = /^(>=|<=|>|<|=|\^)?v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(comparator);
      if (!m) throw new Error(`unsupported range comparator ${JSON.stringify(comparator)}`);
      const op = m[1] ?? '=';
      const want: [number, number, number] = [Number(m[2]), Number(m[3] ?? 0), Number(m[4] ?? 0)];
      const c = compare(version, want);
      switch (op) {
        case '>=': return c >= 0;
        case '>': return c > 0;
        case '<': return c < 0;
        case '<=': return c <= 0;
        case '=': return c === 0;
        case '^': return c >= 0 && version[0] === want[0];
        default: throw new Error(`unsupported operator ${op}`);
      }
    });
  });
}

function compare(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
