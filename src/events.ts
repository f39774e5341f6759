// The typed events the pipeline emits. The progress view and the summary only listen;
// nothing in the pipeline depends on who (if anyone) is listening.
import { EventEmitter } from 'node:events';
import type { CrawlRecord } from './record.js';

export interface CrawlEvents {
  /** A URL line was accepted from the input; `total` counts records expected so far. */
  read: [total: number];
  /** The input is fully read: `total` records will be written. */
  inputEnd: [total: number];
  /** A URL waits for its origin's slot. */
  queued: [origin: string];
  /** A request to `origin` took a slot (global and per-origin). */
  start: [origin: string, url: string];
  /** An attempt failed and will be retried after a backoff; meanwhile the URL holds no slot and waits
   *  in its origin's queue again (its next attempt emits `start` again). */
  retry: [origin: string, url: string];
  /** A record was produced. `origin` is null for records that never reached a host. */
  done: [origin: string | null, record: CrawlRecord];
  /** SIGINT/SIGTERM received; `force` on the second Ctrl-C. */
  stopping: [force: boolean];
}

export class CrawlEmitter extends EventEmitter<CrawlEvents> {}
