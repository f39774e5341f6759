// The whole live view as a function of one snapshot: logs above (Ink <Static>), then the frame.
import { Box, Static, Text } from 'ink';
import type { Snapshot } from './state.js';
import { TOP_HOSTS } from './state.js';
import { Bar, Totals } from './Bar.js';
import { Hosts } from './Hosts.js';
import { Statuses, statusLines } from './Statuses.js';
import { Failures } from './Failures.js';
import { Slow } from './Slow.js';
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

/** How many lines of each part are drawn in `rows`: never more than rows − 1 in all. */
export interface FrameLayout {
  stopping: boolean;
  slow: number;
  inFlight: boolean;
  statuses: number;
  recent: number;
  hosts: number;
}

/**
 * Fits the frame into `rows` − 1 lines, the most useful parts first. A frame as tall as the terminal
 * would make Ink clear the whole screen, scrollback included, on every redraw, and leave the summary
 * on the frame's last line; so the host table, then the failures and the status lines give way.
 */
export function frameLayout(s: Snapshot, rows: number): FrameLayout {
  let room = rows - 1 - 2; // the bar and the totals
  const take = (n: number): number => {
    const k = Math.max(0, Math.min(n, room));
    room -= k;
    return k;
  };
  const stopping = take(s.stopping === 'no' ? 0 : 1) === 1;
  const slow = take(s.slow.length);
  const inFlight = take(1) === 1;
  const statuses = take(statusLines(s));
  const recent = take(s.recent.length);
  // The table needs its header line and at least one host.
  const hosts = room >= 2 ? take(1 + Math.min(TOP_HOSTS, s.hosts.length)) - 1 : 0;
  return { stopping, slow, inFlight, statuses, recent, hosts: Math.max(0, hosts) };
}

/** Host rows that fit: the frame must stay shorter than the terminal. */
export function hostRows(s: Snapshot, rows: number): number {
  return frameLayout(s, rows).hosts;
}

export function App({ snapshot, width, rows, logs = NO_LOGS }: AppProps) {
  const fit = frameLayout(snapshot, rows);
  return (
    <>
      <Static key={logs.id} items={logs.lines}>
        {(line, i) => <Text key={i}>{line}</Text>}
      </Static>
      <Box flexDirection="column" width={width}>
        <Bar snapshot={snapshot} width={width} />
        <Totals snapshot={snapshot} />
        {fit.inFlight && <Hosts snapshot={snapshot} width={width} maxHosts={fit.hosts} />}
        {fit.statuses > 0 && <Statuses snapshot={snapshot} lines={fit.statuses} />}
        <Failures failures={fit.recent > 0 ? snapshot.recent.slice(-fit.recent) : []} width={width} />
        <Slow slow={snapshot.slow.slice(0, fit.slow)} width={width} />
        {fit.stopping && <Stopping snapshot={snapshot} />}
      </Box>
    </>
  );
}
