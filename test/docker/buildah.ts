// Thin wrappers over the buildah CLI as this machine can run it: vfs storage (no overlay in
// here), chroot isolation and the host network, since there is no Docker engine or registry.
import { exec, execOk, type ExecOptions, type ExecResult } from './exec.js';

const GLOBAL = ['--storage-driver', 'vfs'];

export const RUN_FLAGS = ['--isolation', 'chroot', '--network', 'host'];

function env(): NodeJS.ProcessEnv {
  return { ...process.env, STORAGE_DRIVER: 'vfs', BUILDAH_ISOLATION: 'chroot' };
}

export function buildah(args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  return exec('buildah', [...GLOBAL, ...args], { env: env(), ...options });
}

export function buildahOk(args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  return execOk('buildah', [...GLOBAL, ...args], { env: env(), ...options });
}

/** The parts of `buildah inspect --type image` this test reads. */
export interface ImageConfig {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  User?: string;
  WorkingDir?: string;
  Env?: string[];
  Labels?: Record<string, string> | null;
}

/** The OCI config of a local image, or undefined if there is no such image. */
export async function imageConfig(name: string): Promise<ImageConfig | undefined> {
  const r = await buildah(['inspect', '--type', 'image', name]);
  if (r.code !== 0) return undefined;
  const parsed = JSON.parse(r.stdout) as { OCIv1?: { config?: ImageConfig } };
  return parsed.OCIv1?.config ?? {};
}

/** `buildah from IMAGE`; returns the working container's name. */
export async function fromImage(image: string): Promise<string> {
  const r = await buildahOk(['from', '--pull=never', image]);
  return r.stdout.trim().split('\n').pop() ?? '';
}

/** Removes working containers; failures are reported, not thrown, since this runs in cleanup. */
export async function removeContainers(names: string[]): Promise<void> {
  for (const name of names) {
    const r = await buildah(['rm', name], { cleanup: true });
    if (r.code !== 0) process.stderr.write(`warning: buildah rm ${name} failed: ${r.stderr.trim()}\n`);
  }
}
