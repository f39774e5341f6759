// Builds a local stand-in for the official node base image (no registry here): a debootstrapped
// Debian minbase with the tag's Node release, this machine's npm and CA certificates, user `node`.
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildah, buildahOk, imageConfig, removeContainers } from './buildah.js';
import { tagVersion } from './dockerfile.js';
import { exec, execOk } from './exec.js';

/** Bump when the recipe below changes, so cached stand-ins are rebuilt. */
const RECIPE = 4;
const LABEL = 'org.crawl.test.standin';
const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

export interface StandInResult {
  /** The FROM names now present locally. */
  names: string[];
  /** True when a cached image was reused. */
  cached: boolean;
  /** What was carried over from the host, for the log. */
  notes: string[];
}

/** The Debian suite a tag names, e.g. `node:20.20.2-bookworm-slim` → `bookworm`. */
export function suiteOf(image: string): string {
  const m = /-(bookworm|bullseye|trixie|buster)(?:-slim)?$/.exec(image);
  if (!m?.[1]) throw new Error(`cannot tell the Debian release of base image ${image}; expected a -bookworm-slim style tag`);
  return m[1];
}

/** The Debian mirror apt uses on this machine (deb822 or one-line sources), else deb.debian.org. */
export async function debianMirror(): Promise<string> {
  const override = process.env['CRAWL_DEBIAN_MIRROR'];
  if (override) return override;
  const files = ['/etc/apt/sources.list'];
  try {
    for (const f of await readdir('/etc/apt/sources.list.d')) files.push(join('/etc/apt/sources.list.d', f));
  } catch {
    // No sources.list.d: only the main file.
  }
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    for (const block of text.split(/\n\s*\n/)) {
      const uris = /^URIs:\s*(\S+)/m.exec(block)?.[1];
      const suites = /^Suites:\s*(.+)$/m.exec(block)?.[1] ?? '';
      if (uris && /\/debian\/?$/.test(uris) && /\bbookworm\b(?!-)/.test(suites)) return uris;
    }
    for (const line of text.split('\n')) {
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian\/?)\s+bookworm\s/.exec(line.trim());
      if (m?.[1]) return m[1];
    }
  }
  return 'http://deb.debian.org/debian';
}

interface HostNode {
  npmDir: string;
  npmVersion: string;
  registry: string;
  caFiles: string[];
}

async function hostNode(): Promise<HostNode> {
  const root = (await execOk('npm', ['root', '-g'])).stdout.trim();
  const npmDir = join(root, 'npm');
  const npmPkg = JSON.parse(await readFile(join(npmDir, 'package.json'), 'utf8')) as { name: string; version: string };
  if (npmPkg.name !== 'npm') throw new Error(`${npmDir} is not npm`);
  const registry = (await execOk('npm', ['config', 'get', 'registry'])).stdout.trim();
  const caDir = '/usr/local/share/ca-certificates';
  const caFiles: string[] = [];
  if (existsSync(caDir)) {
    for (const entry of await readdir(caDir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.crt')) caFiles.push(join(entry.parentPath, entry.name));
    }
  }
  caFiles.sort();
  return {
    npmDir,
    npmVersion: npmPkg.version,
    registry,
    caFiles,
  };
}

/**
 * A `node` binary of exactly `version` for this machine's architecture: this machine's own when it
 * is that release, else the official build from the npm registry's `node-linux-<arch>` package
 * (the binary the `node` npm package installs), unpacked into `work`.
 */
async function nodeBinary(version: string, work: string): Promise<{ path: string; source: string }> {
  if (process.version === `v${version}`) return { path: process.execPath, source: `this machine's ${process.execPath}` };
  const arch = ({ x64: 'x64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch];
  if (arch === undefined || process.platform !== 'linux') throw new Error(`no node-linux build for ${process.platform}/${process.arch}`);
  const spec = `node-linux-${arch}@${version}`;
  const packed = await execOk('npm', ['pack', spec, '--json', '--pack-destination', work], { cwd: work, timeoutMs: 10 * 60_000 });
  const [info] = JSON.parse(packed.stdout) as { filename: string }[];
  if (!info) throw new Error(`npm pack ${spec} printed nothing`);
  await execOk('tar', ['-xzf', join(work, info.filename), '-C', work, 'package/bin/node']);
  await rm(join(work, info.filename), { force: true });
  return { path: join(work, 'package/bin/node'), source: `npm package ${spec}` };
}

async function recipeKey(host: HostNode, nodeVersion: string, suite: string, mirror: string): Promise<string> {
  const hash = createHash('sha256');
  for (const f of host.caFiles) hash.update(await readFile(f));
  return [
    `recipe=${RECIPE}`,
    `suite=${suite}`,
    `mirror=${mirror}`,
    `node=${nodeVersion}`,
    `npm=${host.npmVersion}`,
    `registry=${host.registry}`,
    `ca=${hash.digest('hex').slice(0, 16)}`,
  ].join(' ');
}

/** The names a FROM reference may be looked up under locally. */
function aliases(image: string): string[] {
  const names = [image];
  if (!image.includes('/')) names.push(`docker.io/library/${image}`);
  return names;
}

/**
 * Makes sure every base image in `images` exists locally, building the stand-in once and tagging
 * it with each name. A cached image is reused when its recipe label matches this host.
 */
export async function ensureStandIn(images: string[], log: (line: string) => void): Promise<StandInResult> {
  const suites = new Set(images.map(suiteOf));
  if (suites.size !== 1) throw new Error(`base images use different Debian releases: ${images.join(', ')}`);
  const suite = [...suites][0] ?? 'bookworm';
  const mirror = await debianMirror();
  const versions = new Set(images.map((i) => tagVersion(i)?.join('.')));
  const nodeVersion = [...versions][0];
  if (versions.size !== 1 || nodeVersion === undefined) {
    throw new Error(`base images must name one x.y.z Node release: ${images.join(', ')}`);
  }
  const host = await hostNode();
  const key = await recipeKey(host, nodeVersion, suite, mirror);
  const notes = [
    `node ${nodeVersion}`,
    `npm ${host.npmVersion} from ${host.npmDir}`,
    `Debian ${suite} from ${mirror}`,
    `registry ${host.registry}`,
    host.caFiles.length > 0
      ? `extra CA certificates: ${host.caFiles.join(', ')} (installed + NODE_EXTRA_CA_CERTS)`
      : 'no extra CA certificates on this host',
  ];

  const allNames = images.flatMap(aliases);
  const existing = await Promise.all(allNames.map(async (n) => (await imageConfig(n))?.Labels?.[LABEL]));
  if (existing.every((label) => label === key)) return { names: allNames, cached: true, notes };
  if (existing.some((label) => label !== undefined)) log(`cached stand-in is stale (recipe changed); rebuilding`);

  const work = await mkdtemp(join(tmpdir(), 'crawl-standin-'));
  const rootfs = join(work, 'rootfs');
  const containers: string[] = [];
  try {
    log(`debootstrap --variant=minbase ${suite} (takes ~30 s)`);
    await execOk(
      'debootstrap',
      ['--variant=minbase', '--include=ca-certificates', suite, rootfs, mirror],
      { timeoutMs: 15 * 60_000 },
    );

    const node = await nodeBinary(nodeVersion, work);
    notes[0] = `node ${nodeVersion} from ${node.source}`;
    log(`adding node (${node.source}), npm, the node user and CA certificates`);
    await mkdir(join(rootfs, 'usr/local/bin'), { recursive: true });
    await mkdir(join(rootfs, 'usr/local/lib/node_modules'), { recursive: true });
    await cp(node.path, join(rootfs, 'usr/local/bin/node'));
    await chmod(join(rootfs, 'usr/local/bin/node'), 0o755);
    await cp(host.npmDir, join(rootfs, 'usr/local/lib/node_modules/npm'), { recursive: true, verbatimSymlinks: true });
    await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr/local/bin/npm'));
    await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(rootfs, 'usr/local/bin/npx'));
    // As in the official image: group and user `node`, 1000:1000, home /home/node.
    await execOk('chroot', [rootfs, 'groupadd', '--gid', '1000', 'node']);
    await execOk('chroot', [rootfs, 'useradd', '--uid', '1000', '--gid', 'node', '--shell', '/bin/bash', '--create-home', 'node']);
    if (host.caFiles.length > 0) {
      const caDest = join(rootfs, 'usr/local/share/ca-certificates');
      await mkdir(caDest, { recursive: true });
      for (const f of host.caFiles) await cp(f, join(caDest, f.split('/').pop() ?? 'extra.crt'));
      await execOk('chroot', [rootfs, 'update-ca-certificates']);
    }
    await rm(join(rootfs, 'var/lib/apt/lists'), { recursive: true, force: true });
    await mkdir(join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });
    await exec('sh', ['-c', `rm -f ${rootfs}/var/cache/apt/archives/*.deb`]);
    // Sanity: the copied node runs on the Debian userland.
    const v = await execOk('chroot', [rootfs, '/usr/local/bin/node', '--version']);
    if (v.stdout.trim() !== `v${nodeVersion}`) throw new Error(`node in the rootfs says ${v.stdout.trim()}`);

    log('importing the rootfs into buildah storage');
    const ctr = (await buildahOk(['from', 'scratch'])).stdout.trim();
    containers.push(ctr);
    const mnt = (await buildahOk(['mount', ctr])).stdout.trim();
    await execOk('cp', ['-a', `${rootfs}/.`, `${mnt}/`]);
    await buildahOk(['umount', ctr]);
    const config = [
      '--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--env', `NODE_VERSION=${nodeVersion}`,
      '--cmd', 'node',
      '--label', `${LABEL}=${key}`,
      '--os', 'linux',
      '--arch', process.arch === 'x64' ? 'amd64' : process.arch,
    ];
    if (host.caFiles.length > 0) config.push('--env', 'NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt');
    if (host.registry !== DEFAULT_REGISTRY) config.push('--env', `npm_config_registry=${host.registry}`);
    await buildahOk(['config', ...config, ctr]);
    const [first, ...rest] = allNames;
    if (first === undefined) throw new Error('no base image names');
    await buildahOk(['commit', '--rm', ctr, first]);
    containers.pop();
    if (rest.length > 0) await buildahOk(['tag', first, ...rest]);
    await removeStale(allNames);
    return { names: allNames, cached: false, notes };
  } finally {
    await removeContainers(containers);
    await rm(work, { recursive: true, force: true });
  }
}

/** Removes earlier stand-ins (another base tag, an older recipe) that no current name points to. */
async function removeStale(current: string[]): Promise<void> {
  const r = await buildah(['images', '--filter', `label=${LABEL}`, '--format', '{{.ID}} {{.Name}}:{{.Tag}}']);
  if (r.code !== 0) return;
  const keep = new Set<string>();
  const ids = new Map<string, string[]>();
  for (const line of r.stdout.trim().split('\n').filter((l) => l !== '')) {
    const [id = '', name = ''] = line.trim().split(/\s+/);
    // Images built FROM a stand-in inherit its label; only node:* images are stand-ins.
    if (!/(^|\/)node:[^/]*$/.test(name)) continue;
    ids.set(id, [...(ids.get(id) ?? []), name]);
    if (current.includes(name) || current.includes(name.replace(/^localhost\//, ''))) keep.add(id);
  }
  for (const [id, names] of ids) if (!keep.has(id)) await buildah(['rmi', '-f', ...names.filter((n) => !n.includes('<none>')), id]);
}

/** Removes the stand-in images (for `--rebuild-base`). */
export async function removeStandIn(images: string[]): Promise<void> {
  for (const name of images.flatMap(aliases)) await buildah(['rmi', '-f', name]);
}
