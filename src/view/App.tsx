// The whole live view as a function of one snapshot: logs above (Ink <Static>), then the frame.
import { Box, Static, Text } from 'ink';
import type { Snapshot } from './state.js';
import { TOP_HOSTS } from './state.js';
import { Bar, Totals } from './Bar.js';
import { Hosts } from './Hosts.js';
import { Statuses, statusLines } from './Statuses.js';
import { Failures } from './Failures.js';
import { Stopping } from './Stopping.js';

/** Log lines not yet shown; a new `id` means a new batch (its <Static> prints every line once). */
export interface LogBatch {
  id: number;
  lines: string[];
}

export interface AppProps {
  snapshot: Snapshot;
  /** Terminal columns. */
  width: number;
  /** Terminal rows: the host table shrinks so the frame never scrolls. */
  rows: number;
  logs?: LogBatch;
}

const NO_LOGS: LogBatch = { id: 0, lines: [] };

/** Host rows that fit: the frame must stay shorter than the terminal. */
export function hostRows(s: Snapshot, rows: number): number {
  const fixed = 2 + 1 + 1 + statusLines(s) + s.recent.length + (s.stopping === 'no' ? 0 : 1);
  return Math.max(0, Math.min(TOP_HOSTS, rows - 1 - fixed));
}

export function App({ snapshot, width, rows, logs = NO_LOGS }: AppProps) {
  return (
    <>
      <Static key={logs.id} items={logs.lines}>
        {(line, i) => <Text key={i}>{line}</Text>}
      </Static>
      <Box flexDirection="column" width={width}>
        <Bar snapshot={snapshot} width={width} />
        <Totals snapshot={snapshot} />
        <Hosts snapshot={snapshot} width={width} maxHosts={hostRows(snapshot, rows)} />
        <Statuses snapshot={snapshot} />
        <Failures failures={snapshot.recent} width={width} />
        <Stopping snapshot={snapshot} />
      </Box>
    </>
  );
}
