// --resume: reads the records an earlier run left in the output file, so those URLs are skipped, and
// cuts off a partial last line (a run killed mid-write) so the file stays valid NDJSON when appended to.
import { createReadStream } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { normalizeUrl } from '../input/normalize.js';
import { SeenSet } from '../input/seen.js';

/** What --resume found already done in the output file: those URLs and invalid lines are skipped. */
export interface Done {
  urls: SeenSet;
  invalidLines: Set<number>;
}

interface MaybeRecord {
  url?: unknown;
  line?: unknown;
  error?: { code?: unknown };
}

/** Scans `path`; a missing file means nothing is done yet. */
export async function readDone(path: string): Promise<Done> {
  const done: Done = { urls: new SeenSet(), invalidLines: new Set() };
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return done;
    throw err;
  }
  let complete = 0; // bytes of whole lines
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) {
    const bytes = Buffer.byteLength(line) + 1;
    if (complete + bytes > size) break; // the last line has no newline: partial
    let rec: MaybeRecord;
    try {
      rec = JSON.parse(line) as MaybeRecord;
    } catch {
      break; // a torn line; everything after it is rewritten
    }
    complete += bytes;
    if (rec.error?.code === 'EINVALIDURL' && typeof rec.line === 'number') done.invalidLines.add(rec.line);
    else if (typeof rec.url === 'string') {
      const n = normalizeUrl(rec.url);
      done.urls.add(n.ok ? n.href : rec.url);
    }
  }
  if (complete < size) await truncate(path, complete);
  return done;
}
