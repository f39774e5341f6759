// Exit statuses, in one place (the README lists the same).
export const EXIT = {
  /** The crawl ran to the end; failed URLs are records. */
  ok: 0,
  /** With --fail: at least one record has ok: false. */
  failed: 1,
  /** A usage, input or output error: the user's, said in one stderr line. */
  usage: 2,
  /** EX_SOFTWARE: a bug in crawl ("internal error … please report it"). */
  software: 70,
  /** The terminal closed: SIGHUP (128 + 1). */
  sighup: 129,
  /** Interrupted by SIGINT (128 + 2). */
  sigint: 130,
  /** Terminated by SIGTERM (128 + 15). */
  sigterm: 143,
} as const;
