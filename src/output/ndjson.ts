// The NDJSON sink: one JSON line per record, batched into few write() calls, with back-pressure
// (a slow reader slows the crawl instead of filling memory) and quiet handling of a closed pipe.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { jsonTextOf } from '../extract/json-text.js';
import type { CrawlRecord } from '../record.js';
import type { RecordSink } from './sink.js';

/** A batch is written once it holds this many bytes. */
const BATCH_BYTES = 64 * 1024;
/** Records are encoded straight into a Buffer this big, batch after batch, until one no longer fits. */
const ARENA_BYTES = 256 * 1024;

export class NdjsonSink implements RecordSink {
  // Records are UTF-8-encoded straight into `arena`: bytes [start, end) are the batch not yet written.
  // A written batch stays the stream's (it may still be queued), so the next one goes after it, and a
  // new arena is taken when a record no longer fits. Concatenating strings instead copied every
  // ~12 KB --links record twice more (the join, then the string-to-bytes copy at write time).
  private arena = Buffer.allocUnsafe(ARENA_BYTES);
  private start = 0;
  private end = 0;
  private scheduled = false;
  private drain: Promise<void> | null = null;
  private broken = false;
  written = 0;

  /**
   * `onError` runs once when the stream fails; EPIPE means the reader went away (`crawl | head -1`).
   * `ownsStream`: close() ends the stream (a file); stdout is only flushed.
   */
  constructor(
    private readonly stream: Writable,
    private readonly ownsStream: boolean,
    onError: (err: NodeJS.ErrnoException) => void,
  ) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (this.broken) return;
      this.broken = true;
      onError(err);
    });
  }

  /** Queues a record. Returns a promise only when the stream is full; awaiting it is back-pressure. */
  write(record: CrawlRecord): Promise<void> | undefined {
    if (this.broken) return undefined;
    const links = record.links === undefined ? undefined : jsonTextOf(record.links);
    if (links === undefined) this.put(JSON.stringify(record), '', '');
    else {
      // The record with links as 0, then the list's own text put in for that 0. `"links":0` occurs
      // once: top-level keys are unique, and no nested object has a number under "links".
      const json = JSON.stringify(record, function (this: unknown, key: string, value: unknown) {
        return key === 'links' && this === record ? 0 : value;
      });
      const at = json.indexOf('"links":0') + 8;
      this.put(json.slice(0, at), links, json.slice(at + 1));
    }
    this.arena[this.end++] = 0x0a;
    this.written++;
    if (this.end - this.start >= BATCH_BYTES) this.flushNow();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flushNow());
    }
    return this.drain ?? undefined;
  }

  /** Encodes head (UTF-8), middle (ASCII) and tail (UTF-8) at the end of the arena. */
  private put(head: string, middle: string, tail: string): void {
    // A UTF-16 code unit takes at most 3 UTF-8 bytes (a surrogate pair, 2 units, takes 4); +1 for '\n'.
    const most = (head.length + tail.length) * 3 + middle.length + 1;
    if (this.end + most > this.arena.length) {
      this.flushNow();
      this.arena = Buffer.allocUnsafe(Math.max(ARENA_BYTES, most));
      this.start = 0;
      this.end = 0;
    }
    this.end += this.arena.write(head, this.end, 'utf8');
    if (middle !== '') this.end += this.arena.write(middle, this.end, 'latin1');
    if (tail !== '') this.end += this.arena.write(tail, this.end, 'utf8');
  }

  private flushNow(): void {
    this.scheduled = false;
    if (this.end === this.start || this.broken) return;
    const chunk = this.arena.subarray(this.start, this.end);
    this.start = this.end;
    if (!this.stream.write(chunk) && !this.drain) {
      this.drain = once(this.stream, 'drain').then(
        () => { this.drain = null; },
        () => { this.drain = null; },
      );
    }
  }

  /** Writes what is buffered and waits until the stream has taken it. */
  async flush(): Promise<void> {
    this.flushNow();
    if (this.drain) await this.drain;
  }

  /** Flushes and ends the stream it owns (stdout is only flushed). Resolves when data is out. */
  async close(): Promise<void> {
    await this.flush();
    if (this.broken) return;
    if (this.ownsStream) {
      // A write that fails at the very end (a full disk) emits 'error' instead of finishing.
      await new Promise<void>((resolve) => {
        this.stream.once('error', () => resolve());
        this.stream.end(() => resolve());
      });
    } else if (this.stream.writableNeedDrain) {
      await once(this.stream, 'drain').catch(() => undefined);
    }
  }
}
