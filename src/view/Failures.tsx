// The last few failures, one per line: code (with HTTP status) and URL, cut to the width.
import { Box, Text } from 'ink';
import type { Failure } from './state.js';
import { padEnd, sanitize, truncate } from './format.js';
import { redact } from '../redact.js';

const CODE_WIDTH = 13;
const PREFIX = 2 + CODE_WIDTH + 1;

export function failureLine(f: Failure, width: number): string {
  const code = f.status === null ? f.code : `${f.code} ${f.status}`;
  return padEnd(code, CODE_WIDTH) + ' ' + truncate(sanitize(redact(f.url)), Math.max(1, width - PREFIX));
}

export function Failures({ failures, width }: { failures: Failure[]; width: number }) {
  return (
    <Box flexDirection="column">
      {failures.map((f, i) => (
        <Text key={i} wrap="truncate-end">
          <Text color="red">{'✗ '}</Text>
          {failureLine(f, width)}
        </Text>
      ))}
    </Box>
  );
}
