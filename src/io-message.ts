// A failed read or write in plain words for a one-line message: Node's "ENOSPC: no space left on
// device, write" becomes "no space left on device".

const WORDS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EBADF: 'bad file descriptor',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  EROFS: 'read-only file system',
  EFBIG: 'file too large',
};

export function ioMessage(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code !== undefined && WORDS[code] !== undefined) return WORDS[code];
  const message = err instanceof Error ? err.message : String(err);
  // "EXDEV: cross-device link not permitted, rename 'a' -> 'b'" → "cross-device link not permitted"
  return message.replace(/^[A-Z0-9_]+: /, '').replace(/, \w+(?: '.*)?$/, '');
}
