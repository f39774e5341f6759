// Refuses a run that would write over what it reads: `-o urls.txt urls.txt` used to truncate the URL
// list before reading it. Files are compared by what they are, not how they are named: device and
// inode for files that exist (symlinks and hard links included), the real path for those not yet made.
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export interface NamedFile {
  /** The flag that named it (`-o`, `--log-file`, `-c`, `-b`), or `input`, `stdin`, `stdout`. */
  what: string;
  path: string;
}

export interface PathRoles {
  /** Files the run reads: the URL lists and a `-b` cookie file. */
  reads: NamedFile[];
  /** Files the run writes: `-o`, `--log-file`, `-c`. */
  writes: NamedFile[];
  /** Pairs allowed to be the same file, by `what`: `-b jar -c jar` reads then rewrites the jar, as in curl. */
  allowed?: [string, string][];
}

let devices = 0;

/** A file's identity: `dev:ino` when it exists, else `path:` plus its real path. */
async function identity(path: string): Promise<string> {
  try {
    const s = await stat(path);
    // Character devices (/dev/stdout, /dev/null, /dev/full…) may be named twice without harm.
    if (s.isCharacterDevice() || s.isFIFO() || s.isSocket()) return `device:${++devices}`;
    return `${s.dev}:${s.ino}`;
  } catch {
    // Not there yet: two names for it are the same file when their directories resolve alike.
    const abs = resolve(path);
    try {
      return `path:${join(await realpath(dirname(abs)), basename(abs))}`;
    } catch {
      return `path:${abs}`;
    }
  }
}

/** `-o out.ndjson`, `input urls.txt`; stdin and stdout by their name alone. */
function name(f: NamedFile): string {
  return f.what === 'stdin' || f.what === 'stdout' ? f.what : `${f.what} ${f.path}`;
}

/** The first clash as a one-line message for the user, or null when every written file is distinct. */
export async function findClash(roles: PathRoles): Promise<string | null> {
  const allowed = new Set((roles.allowed ?? []).flatMap(([a, b]) => [`${a}\0${b}`, `${b}\0${a}`]));
  const writes = await Promise.all(roles.writes.filter((f) => f.path !== '-').map(async (f) => ({ ...f, id: await identity(f.path) })));
  const reads = await Promise.all(roles.reads.filter((f) => f.path !== '-').map(async (f) => ({ ...f, id: await identity(f.path) })));
  for (const [i, w] of writes.entries()) {
    for (const r of reads) {
      if (w.id === r.id && !allowed.has(`${w.what}\0${r.what}`)) return `${name(w)} is the same file as ${name(r)}: writing would destroy it`;
    }
    for (const other of writes.slice(i + 1)) {
      if (w.id === other.id && !allowed.has(`${w.what}\0${other.what}`)) return `${name(w)} is the same file as ${name(other)}: pick a different file for one of them`;
    }
  }
  return null;
}
