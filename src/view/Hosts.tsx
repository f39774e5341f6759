// The in-flight line and the busiest-hosts table; hosts with work queued at their
// --per-host cap are yellow and marked "waiting". Narrow terminals drop columns, not host names.
import { Box, Text } from 'ink';
import type { HostSnapshot, Snapshot } from './state.js';
import { padEnd, padStart, sanitize } from './format.js';

interface Column {
  title: string;
  width: number;
  cell(h: HostSnapshot, perHost: number): string;
}

const COLUMNS: Column[] = [
  { title: 'active', width: 7, cell: (h, perHost) => `${h.active}/${perHost}` },
  { title: 'queued', width: 8, cell: (h) => `${h.queued}` },
  { title: 'done', width: 8, cell: (h) => `${h.done}` },
  { title: 'failed', width: 8, cell: (h) => `${h.failed}` },
  { title: 'median', width: 9, cell: (h) => (h.medianMs === null ? '–' : `${Math.round(h.medianMs)} ms`) },
];
/** Columns given up, in this order, before host names get shorter than HOST_MIN. */
const DROP_ORDER = ['median', 'done', 'failed'];
const MARK = '  waiting';
const INDENT = 2;
const HOST_MAX = 36;
const HOST_MIN = 18;

export interface TableLayout {
  hostWidth: number;
  columns: Column[];
}

export function tableLayout(width: number): TableLayout {
  let columns = COLUMNS;
  const hostRoom = (cols: Column[]): number => width - INDENT - MARK.length - cols.reduce((n, c) => n + c.width, 0);
  for (const title of DROP_ORDER) {
    if (hostRoom(columns) >= HOST_MIN) break;
    columns = columns.filter((c) => c.title !== title);
  }
  return { hostWidth: Math.max(8, Math.min(HOST_MAX, hostRoom(columns))), columns };
}

function row(host: string, cells: string[], layout: TableLayout): string {
  return ' '.repeat(INDENT) + padEnd(host, layout.hostWidth) + cells.map((c, i) => padStart(c, layout.columns[i]!.width)).join('');
}

function HostRow({ host: h, perHost, layout }: { host: HostSnapshot; perHost: number; layout: TableLayout }) {
  const cells = layout.columns.map((c) => c.cell(h, perHost));
  return (
    <Text wrap="truncate-end" color={h.waiting ? 'yellow' : undefined}>
      {row(sanitize(h.label), cells, layout)}
      {h.waiting ? MARK : ''}
    </Text>
  );
}

export function Hosts({ snapshot: s, width, maxHosts }: { snapshot: Snapshot; width: number; maxHosts: number }) {
  const layout = tableLayout(width);
  const hosts = s.hosts.slice(0, maxHosts);
  // Requests still counted in flight when the crawl has ended were cut off by a forced stop.
  const abandoned = s.finished && s.inFlight > 0 ? ' (abandoned)' : '';
  const waiting = s.waitingHosts > 0 ? ` · ${s.waitingHosts} waiting at --per-host ${s.perHost}` : '';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        {`in flight ${s.inFlight} of ${s.limit}${abandoned} · ${s.hostCount} ${s.hostCount === 1 ? 'host' : 'hosts'}`}
        <Text color="yellow">{waiting}</Text>
      </Text>
      {hosts.length > 0 && (
        <Text wrap="truncate-end" dimColor>
          {row('host', layout.columns.map((c) => c.title), layout)}
        </Text>
      )}
      {hosts.map((h) => (
        <HostRow key={h.label} host={h} perHost={s.perHost} layout={layout} />
      ))}
    </Box>
  );
}
