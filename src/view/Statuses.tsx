// Outcome classes: one line of 2xx / 3xx / 4xx / 5xx counts, and one of network errors by
// code (most frequent first) once there are any.
import { Box, Text } from 'ink';
import type { Snapshot } from './state.js';

const CLASS_COLORS = { '2xx': 'green', '3xx': 'cyan', '4xx': 'yellow', '5xx': 'red' } as const;

/** Lines this component draws for `s`. */
export function statusLines(s: Snapshot): number {
  return s.netErrors.length > 0 ? 2 : 1;
}

export function Statuses({ snapshot: s, lines = 2 }: { snapshot: Snapshot; lines?: number }) {
  const classes = (['2xx', '3xx', '4xx', '5xx'] as const).map((k) => [k, s.classes[k]] as const);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        {'status'}
        {classes.map(([k, n], i) => (
          <Text key={k} color={n > 0 ? CLASS_COLORS[k] : undefined} dimColor={n === 0}>
            {`${i > 0 ? ' · ' : ' '}${k} ${n}`}
          </Text>
        ))}
        {s.classes.other > 0 ? ` · other ${s.classes.other}` : ''}
      </Text>
      {s.netErrors.length > 0 && lines > 1 && (
        <Text wrap="truncate-end">
          {'errors '}
          <Text color="red">{s.netErrors.map(([code, n]) => `${code} ${n}`).join(' · ')}</Text>
        </Text>
      )}
    </Box>
  );
}
