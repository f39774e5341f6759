// The two ways a run can end badly that are not records: the user's mistake (its message, exit 2)
// and a bug in crawl (one line asking for a report, the stack in the log, exit 70).
import { EXIT } from './exit.js';
import type { Logger } from './log.js';
import { redact } from './redact.js';
import { UserError } from './user-error.js';

/** Says `err` on stderr in one line and returns the exit status it calls for. */
export function report(err: unknown, logger?: Logger): number {
  if (err instanceof UserError) {
    process.stderr.write(`crawl: ${redact(err.message)}\n`);
    return EXIT.usage;
  }
  logger?.error({ err }, 'internal error');
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`crawl: internal error: ${redact(message.split('\n')[0] ?? '')} (please report it)\n`);
  return EXIT.software;
}
