// Static checks of the Dockerfile and .dockerignore: stages, user, entrypoint, labels, base tag.
// Reads files only (no Docker, no buildah), so it runs in every `npm test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  baseImages,
  parseDockerfile,
  parseLabels,
  satisfies,
  tagVersion,
  type Instruction,
  type Stage,
} from './docker/dockerfile.js';

const root = new URL('../../', import.meta.url);
const dockerfileText = readFileSync(new URL('Dockerfile', root), 'utf8');
const parsed = parseDockerfile(dockerfileText);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  version: string;
  description: string;
  license: string;
  engines: { node: string };
};

function finalStage(): Stage {
  const stage = parsed.stages[parsed.stages.length - 1];
  assert.ok(stage, 'the Dockerfile has no FROM');
  return stage;
}

function all(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** ARG defaults visible in the final stage, for expanding `${VAR}` in labels. */
function argDefaults(stage: Stage): Map<string, string> {
  const args = new Map<string, string>();
  for (const ins of all(stage, 'ARG')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(ins.args);
    if (m?.[1] !== undefined && m[2] !== undefined) args.set(m[1], m[2].replace(/^"(.*)"$/, '$1'));
  }
  return args;
}

test('multi-stage: a build stage and a runtime stage', () => {
  assert.ok(parsed.stages.length >= 2, `expected at least 2 FROM, got ${parsed.stages.length}`);
  const build = parsed.stages.slice(0, -1);
  const runsIn = (stages: Stage[], re: RegExp): boolean =>
    stages.some((s) => all(s, 'RUN').some((i) => re.test(i.args)));
  assert.ok(runsIn(build, /\bnpm ci\b/), 'a build stage runs `npm ci`');
  assert.ok(runsIn(build, /\b(npm run build|tsc)\b/), 'a build stage runs the TypeScript build');
});

test('every base image is pinned to a full version tag, the same in all stages', () => {
  const images = baseImages(parsed);
  assert.ok(images.length >= 1);
  for (const image of images) {
    assert.ok(!image.includes('$'), `base image ${image} must be literal (the buildah run parses it)`);
    assert.ok(tagVersion(image) ?? image.includes('@sha256:'), `base image ${image} is not pinned to x.y.z`);
    assert.match(image, /^node:/, `base image ${image} should be the official node image`);
    assert.match(image, /-slim$/, `base image ${image} should be a slim variant`);
  }
  assert.equal(images.length, 1, `stages should share one base tag, got ${images.join(', ')}`);
});

test("the runtime base tag's Node satisfies package.json engines.node", () => {
  const image = finalStage().image;
  const version = tagVersion(image);
  assert.ok(version, `cannot read a version from ${image}`);
  assert.ok(
    satisfies(version, pkg.engines.node),
    `${image} (Node ${version.join('.')}) does not satisfy engines.node ${pkg.engines.node}`,
  );
  // An LTS line: even major.
  assert.equal(version[0] % 2, 0, `Node ${version[0]} is not an LTS line`);
});

test('final stage installs production dependencies only, without scripts', () => {
  const runs = all(finalStage(), 'RUN').map((i) => i.args);
  const installs = runs.filter((r) => /\bnpm (ci|install|i)\b/.test(r));
  assert.ok(installs.length >= 1, 'final stage installs dependencies');
  for (const r of installs) {
    assert.match(r, /--omit=dev\b/, `final-stage install without --omit=dev: ${r}`);
    assert.match(r, /--ignore-scripts\b/, `final-stage install without --ignore-scripts: ${r}`);
    assert.match(r, /\bnpm ci\b/, `final stage should use the lock file (npm ci): ${r}`);
  }
  // No compilers or package-manager installs of build tools in the runtime image.
  for (const r of runs) {
    assert.doesNotMatch(r, /\b(apt-get|apk|yum|dnf)\b/, `final stage installs OS packages: ${r}`);
    assert.doesNotMatch(r, /\b(tsc|npm run build)\b/, `final stage runs the build: ${r}`);
  }
});

test('final stage copies only selected paths, never the whole context', () => {
  const copies = [...all(finalStage(), 'COPY'), ...all(finalStage(), 'ADD')];
  assert.ok(copies.length >= 1);
  for (const c of copies) {
    const words = c.args.split(/\s+/).filter((w) => !w.startsWith('--'));
    const sources = words.slice(0, -1);
    for (const s of sources) {
      assert.ok(!['.', './', '*', './*'].includes(s), `line ${c.line}: final stage copies the whole context: ${c.args}`);
    }
  }
  const fromBuild = all(finalStage(), 'COPY').filter((c) => /--from=/.test(c.args)).map((c) => c.args);
  assert.ok(fromBuild.some((a) => a.includes('dist/src')), 'final stage takes dist/src from the build stage');
  assert.ok(
    all(finalStage(), 'COPY').some((c) => /\bbin\b/.test(c.args)),
    'final stage has bin/ (the package bin imports ../dist/src/cli.js)',
  );
});

test('final stage runs as a non-root user with crawl as the entrypoint in /data', () => {
  const stage = finalStage();
  const users = all(stage, 'USER');
  const user = users[users.length - 1];
  assert.ok(user, 'final stage sets USER');
  assert.ok(!/^(root|0)(:|$)/.test(user.args), `final USER is root: ${user.args}`);
  assert.equal(user.args, 'node');

  const entrypoints = all(stage, 'ENTRYPOINT');
  const entrypoint = entrypoints[entrypoints.length - 1];
  assert.ok(entrypoint, 'final stage sets ENTRYPOINT');
  // Exec form, so signals go to node itself and not to a /bin/sh wrapper.
  const argv = JSON.parse(entrypoint.args) as unknown;
  assert.ok(Array.isArray(argv) && argv.every((a) => typeof a === 'string'), 'ENTRYPOINT is in exec (JSON) form');
  const joined = (argv as string[]).join(' ');
  assert.ok(/^crawl$|\/bin\/crawl\.js$/.test(joined) || joined === 'node /app/bin/crawl.js', `ENTRYPOINT runs crawl: ${joined}`);
  assert.equal(all(stage, 'CMD').length, 0, 'no CMD: arguments are the crawl arguments');

  const workdirs = all(stage, 'WORKDIR');
  assert.equal(workdirs[workdirs.length - 1]?.args, '/data');
  // USER comes after the last RUN, so installs ran as root and the runtime does not.
  const lastRun = Math.max(...all(stage, 'RUN').map((i) => i.line));
  assert.ok(user.line > lastRun, 'USER node is set after the last RUN');
});

test('OCI labels are present and agree with package.json', () => {
  const stage = finalStage();
  const labels = new Map<string, string>();
  for (const ins of all(stage, 'LABEL')) for (const [k, v] of parseLabels(ins.args)) labels.set(k, v);
  const args = argDefaults(stage);
  const expand = (v: string): string => v.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, name: string) => args.get(name) ?? '');
  for (const key of ['source', 'version', 'description', 'title', 'licenses']) {
    const value = labels.get(`org.opencontainers.image.${key}`);
    assert.ok(value !== undefined && expand(value) !== '', `label org.opencontainers.image.${key} is missing or empty`);
  }
  assert.equal(expand(labels.get('org.opencontainers.image.version') ?? ''), pkg.version);
  assert.equal(labels.get('org.opencontainers.image.licenses'), pkg.license);
  assert.equal(labels.get('org.opencontainers.image.description'), pkg.description);
  assert.equal(labels.get('org.opencontainers.image.title'), 'crawl');
  assert.match(expand(labels.get('org.opencontainers.image.source') ?? ''), /^https:\/\//);
});

test('no secrets or credentials baked into the image', () => {
  for (const stage of parsed.stages) {
    for (const ins of stage.instructions) {
      if (ins.keyword === 'ENV' || ins.keyword === 'ARG') {
        assert.doesNotMatch(ins.args, /(TOKEN|SECRET|PASSWORD|_AUTH|NPM_CONFIG__AUTH)/i, `line ${ins.line}: ${ins.args}`);
      }
      if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
        assert.doesNotMatch(ins.args, /\.npmrc|\.env\b|id_rsa|\.pem\b/, `line ${ins.line}: ${ins.args}`);
      }
    }
  }
});

test('.dockerignore keeps host state out of the build context', () => {
  const lines = readFileSync(new URL('.dockerignore', root), 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/^\/+/, '').replace(/\/+$/, ''))
    .filter((l) => l !== '' && !l.startsWith('#'));
  for (const required of ['node_modules', 'dist', '.tmp', '*.tgz', '.git']) {
    assert.ok(lines.includes(required), `.dockerignore lacks ${required}`);
  }
  // Whatever the Dockerfile copies from the context must not be ignored.
  for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'bin']) {
    assert.ok(!lines.includes(needed), `.dockerignore excludes ${needed}, which the build needs`);
  }
});
