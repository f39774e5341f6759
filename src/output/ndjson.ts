// The NDJSON sink: one JSON line per record, batched into few write() calls, with back-pressure
// (a slow reader slows the crawl instead of filling memory) and quiet handling of a closed pipe.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { CrawlRecord } from '../record.js';
import type { RecordSink } from './sink.js';

const BATCH_CHARS = 64 * 1024;

export class NdjsonSink implements RecordSink {
  private buffer = '';
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
    this.buffer += JSON.stringify(record) + '\n';
    this.written++;
    if (this.buffer.length >= BATCH_CHARS) this.flushNow();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flushNow());
    }
    return this.drain ?? undefined;
  }

  private flushNow(): void {
    this.scheduled = false;
    if (this.buffer === '' || this.broken) return;
    const chunk = this.buffer;
    this.buffer = '';
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
