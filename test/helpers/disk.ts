// A small full-able disk for write-error tests: a tmpfs mounted by the test when it runs as root
// (and may mount), else null and the caller falls back to /dev/full. `fill` leaves only `free`
// bytes; `release` gives the space back, so a --resume run can then finish on the same file.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  path: string;
  file(name: string): string;
  /** Fills the disk until about `free` bytes are left. */
  fill(free: number): Promise<void>;
  /** Deletes the filler: the disk has room again. */
  release(): Promise<void>;
  cleanup(): Promise<void>;
}

const SIZE = 256 * 1024;

export async function smallDisk(): Promise<SmallDisk | null> {
  if (process.getuid?.() !== 0) return null;
  const path = await mkdtemp(join(tmpdir(), 'crawl-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE}`, 'tmpfs', path], { stdio: 'ignore' });
  if (mounted.status !== 0) {
    await rmdir(path);
    return null;
  }
  const filler = join(path, 'filler');
  return {
    path,
    file: (name) => join(path, name),
    async fill(free) {
      // tmpfs counts whole 4 KiB pages; write the filler in pages until the rest is what we want.
      await writeFile(filler, Buffer.alloc(Math.max(0, SIZE - free - 4096)));
    },
    async release() {
      await rm(filler, { force: true });
    },
    async cleanup() {
      spawnSync('umount', [path], { stdio: 'ignore' });
      await rmdir(path).catch(() => undefined);
    },
  };
}
