// Where records go. The crawl writes to a RecordSink and knows nothing of formats or files; NDJSON
// on a stream is one sink (ndjson.ts), and stored bodies or archives would be others.
import type { CrawlRecord } from '../record.js';

export interface RecordSink {
  /**
   * Takes one record. Returns a promise only when the consumer is full: the crawl awaits it before
   * it writes more (back-pressure), so a slow reader slows the crawl instead of filling memory.
   */
  write(record: CrawlRecord): Promise<void> | undefined;
  /** Writes out what is buffered and releases the destination; resolves when the data is out. */
  close(): Promise<void>;
}
