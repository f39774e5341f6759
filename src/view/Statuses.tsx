// One line of outcome classes: 2xx / 3xx / 4xx / 5xx counts, then network errors by code.
import { Text } from 'ink';
import type { Snapshot } from './state.js';

const CLASS_COLORS = { '2xx': 'green', '3xx': 'cyan', '4xx': 'yellow', '5xx': 'red' } as const;

export function Statuses({ snapshot: s }: { snapshot: Snapshot }) {
  const classes = (['2xx', '3xx', '4xx', '5xx'] as const).map((k) => [k, s.classes[k]] as const);
  return (
    <Text wrap="truncate-end">
      {'status'}
      {classes.map(([k, n], i) => (
        <Text key={k} color={n > 0 ? CLASS_COLORS[k] : undefined} dimColor={n === 0}>
          {`${i > 0 ? ' · ' : ' '}${k} ${n}`}
        </Text>
      ))}
      {s.classes.other > 0 ? ` · other ${s.classes.other}` : ''}
      {s.netErrors.map(([code, n]) => (
        <Text key={code} color="red">{` · ${code} ${n}`}</Text>
      ))}
    </Text>
  );
}
