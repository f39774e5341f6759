// --resume: reads the records an earlier run left in the output file, so those URLs are skipped, and
// cuts off a partial last line (a run killed mid-write) so the file stays valid NDJSON when appended to.
// --retry-failed also drops the ok:false records, so their URLs are fetched again: the file is
// rewritten atomically (temp file, then rename), so a crash midway leaves the old file whole.
import { createReadStream } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { replaceFile } from '../atomic.js';
import { normalizeUrl } from '../input/normalize.js';
import { SeenSet } from '../input/seen.js';

/** What --resume found already done in the output file: those URLs and invalid lines are skipped. */
export interface Done {
  urls: SeenSet;
  /** Has input `source` line `line` an EINVALIDURL record already? */
  hasInvalid(source: string, line: number): boolean;
  /** Records kept in the file. */
  records: number;
  /** ok:false records removed from the file (--retry-failed), whose URLs are fetched again. */
  dropped: number;
}

interface MaybeRecord {
  url?: unknown;
  ok?: unknown;
  line?: unknown;
  input?: unknown;
  error?: { code?: unknown };
}

/**
 * Invalid lines by input and line number. Records written before the `input` field existed carry
 * only the line: those count for the first input a run names (they came from single-input runs, or
 * were ambiguous then too).
 */
class InvalidLines {
  private readonly keyed = new Set<string>();
  private readonly legacy = new Set<number>();

  constructor(private readonly first: string) {}

  add(input: unknown, line: number): void {
    if (typeof input === 'string') this.keyed.add(`${line}\n${input}`);
    else this.legacy.add(line);
  }

  has(source: string, line: number): boolean {
    return this.keyed.has(`${line}\n${source}`) || (source === this.first && this.legacy.has(line));
  }
}

export interface ReadDoneOptions {
  /** --retry-failed: remove records with `ok: false` from the file and do not count them as done. */
  dropFailed?: boolean;
  /** The run's first input (`-` for stdin): records written before `input` existed count for it. */
  firstInput?: string;
}

/** A record --retry-failed fetches again: not ok, and a URL (an invalid line would fail the same way). */
function failed(rec: MaybeRecord): boolean {
  return rec.ok === false && rec.error?.code !== 'EINVALIDURL';
}

/** Lines written per write() call while the file is rewritten. */
const REWRITE_CHUNK = 64 * 1024;

/** Scans `path`; a missing file means nothing is done yet. */
export async function readDone(path: string, opts: ReadDoneOptions = {}): Promise<Done> {
  const invalid = new InvalidLines(opts.firstInput ?? '-');
  const done: Done = { urls: new SeenSet(), hasInvalid: (source, line) => invalid.has(source, line), records: 0, dropped: 0 };
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return done;
    throw err;
  }
  let complete = 0; // bytes of whole lines
  for await (const { line, bytes } of wholeLines(path, size)) {
    let rec: MaybeRecord;
    try {
      rec = JSON.parse(line) as MaybeRecord;
    } catch {
      break; // a torn line; everything after it is rewritten
    }
    complete += bytes;
    if (opts.dropFailed && failed(rec)) {
      done.dropped++;
      continue;
    }
    done.records++;
    if (rec.error?.code === 'EINVALIDURL' && typeof rec.line === 'number') invalid.add(rec.input, rec.line);
    else if (typeof rec.url === 'string') {
      const n = normalizeUrl(rec.url);
      done.urls.add(n.ok ? n.href : rec.url);
    }
  }
  if (done.dropped > 0) await rewriteWithout(path, size, complete);
  else if (complete < size) await truncate(path, complete);
  return done;
}

/** The file's newline-terminated lines, up to the first byte past `size` (a last line without newline is partial). */
async function* wholeLines(path: string, size: number): AsyncGenerator<{ line: string; bytes: number }> {
  let seen = 0;
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) {
    const bytes = Buffer.byteLength(line) + 1;
    if (seen + bytes > size) break;
    seen += bytes;
    yield { line, bytes };
  }
}

/** Rewrites `path` with its first `complete` bytes of lines minus the ok:false records. */
async function rewriteWithout(path: string, size: number, complete: number): Promise<void> {
  await replaceFile(path, async (fh) => {
    let chunk = '';
    let read = 0;
    for await (const { line, bytes } of wholeLines(path, size)) {
      if (read + bytes > complete) break;
      read += bytes;
      if (failed(JSON.parse(line) as MaybeRecord)) continue;
      chunk += line + '\n';
      if (chunk.length >= REWRITE_CHUNK) {
        await fh.write(chunk);
        chunk = '';
      }
    }
    if (chunk !== '') await fh.write(chunk);
  });
}
