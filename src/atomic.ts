// Replacing a file without a window where it is half-written: the new content goes to a temp file in
// the same directory (same file system, so rename is atomic), is flushed to disk, then renamed over
// the old one. A crash or a full disk at any point leaves either the old file or the new, never a
// truncated mix; the temp file is removed on failure.
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface ReplaceOptions {
  /** File mode of the new file; default: the old file's mode, or 0o666 minus the umask for a new file. */
  mode?: number;
}

/** The temp file's name: hidden, next to `path`, unique per call. */
function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** How long opening the temp file waits for a descriptor while the process has none left. */
const FD_WAIT_MS = 2_000;

/** open(path, 'wx'), waiting (up to FD_WAIT_MS) while the process or the system is out of descriptors. */
async function openWaiting(path: string, mode: number): Promise<FileHandle> {
  const until = performance.now() + FD_WAIT_MS;
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    try {
      return await open(path, 'wx', mode);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'EMFILE' && code !== 'ENFILE') || performance.now() >= until) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/**
 * Calls `fill` with a handle on a fresh temp file beside `path`, then renames it over `path`.
 * Rejects (with the original error) and leaves `path` as it was if `fill`, the flush or the rename fails.
 */
export async function replaceFile(path: string, fill: (fh: FileHandle) => Promise<void>, opts: ReplaceOptions = {}): Promise<void> {
  let mode = opts.mode;
  if (mode === undefined) {
    try {
      mode = (await stat(path)).mode & 0o7777;
    } catch {
      // a new file: open() applies the umask, as for any file the user creates
    }
  }
  const tmp = tempPath(path);
  const fh = await openWaiting(tmp, mode ?? 0o666);
  try {
    // open() applied the umask; an explicit mode (the jar's 0600) or the old file's mode is kept as is.
    if (mode !== undefined) await fh.chmod(mode);
    await fill(fh);
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Writes `data` to `path` atomically (see replaceFile). */
export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: ReplaceOptions = {}): Promise<void> {
  await replaceFile(path, async (fh) => {
    await fh.writeFile(data);
  }, opts);
}
