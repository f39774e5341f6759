// The architecture, checked: every module of src/ imports only modules on its own floor (same folder)
// or below it, in the order data flows, and the imports have no cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { repoRoot } from './helpers/cli.js';

/** Floors, lowest first: a module may import from its own floor's folder or any lower floor. */
const FLOORS: string[][] = [
  // types/: ambient declarations (no module imports them).
  ['record.ts', 'user-error.ts', 'exit.ts', 'redact.ts', 'atomic.ts', 'io-message.ts', 'v8', 'types'],
  ['input'],
  ['schedule'],
  ['fetch'],
  ['extract'],
  ['output', 'log.ts'],
  ['events.ts', 'report.ts'],
  ['view'],
  ['crawl.ts'],
  ['options.ts'],
  ['run.ts'],
  ['cli.ts'],
];

const src = join(repoRoot, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.tsx?$/.test(e.name) ? [relative(src, path)] : [];
  });
}

const files = sources(src);
const known = new Set(files);

/** src-relative paths of the project modules `file` imports (static and dynamic). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(src, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const base = normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '');
    const hit = [`${base}.ts`, `${base}.tsx`].find((p) => known.has(p));
    assert.ok(hit, `${file} imports ${m[1]}, which is not a module of src/`);
    out.push(hit);
  }
  return out;
}

function floorOf(file: string): { floor: number; unit: string } {
  const unit = file.split('/')[0]!;
  const floor = FLOORS.findIndex((units) => units.includes(unit));
  assert.notEqual(floor, -1, `${file}: its folder or name ${unit} has no floor in FLOORS; add it where it belongs`);
  return { floor, unit };
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));

test('no module imports one above it, or one beside it in another folder of the same floor', () => {
  const wrong: string[] = [];
  for (const [file, deps] of graph) {
    const from = floorOf(file);
    for (const dep of deps) {
      const to = floorOf(dep);
      if (to.floor > from.floor || (to.floor === from.floor && to.unit !== from.unit)) wrong.push(`${file} → ${dep}`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(graph.size > 30, 'the scan found the modules');
});

test('the imports of src/ have no cycle', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]): void => {
    state.set(file, 'open');
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === 'open') cycles.push([...path.slice(path.indexOf(dep)), dep].join(' → '));
      else if (!state.has(dep)) visit(dep, [...path, dep]);
    }
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
  assert.deepEqual(cycles, []);
});
