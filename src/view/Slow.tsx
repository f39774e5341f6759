// What is stuck: the longest-running requests, once one has run past SLOW_MS or when only a few URLs
// are left, with elapsed time and attempt, so a crawl that seems to hang shows what it waits on.
import { Box, Text } from 'ink';
import type { SlowRequest } from './state.js';
import { formatDuration, sanitize, truncate } from './format.js';
import { redact } from '../redact.js';

/** `slow   7.2 s  attempt 1 of 3  http://host/path` */
export function slowLine(r: SlowRequest, width: number): string {
  const head = `slow ${formatDuration(r.elapsedMs).padStart(8)}  attempt ${r.attempt} of ${r.attempts}  `;
  return head + truncate(sanitize(redact(r.url)), Math.max(1, width - head.length));
}

export function Slow({ slow, width }: { slow: SlowRequest[]; width: number }) {
  return (
    <Box flexDirection="column">
      {slow.map((r) => (
        <Text key={r.url} wrap="truncate-end" color="yellow">
          {slowLine(r, width)}
        </Text>
      ))}
    </Box>
  );
}
