// The in-flight line and the busiest-hosts table; hosts with work queued at their
// --per-host cap are yellow and marked "waiting".
import { Box, Text } from 'ink';
import type { HostSnapshot, Snapshot } from './state.js';
import { padEnd, padStart, sanitize } from './format.js';

/** Widths of the numeric columns: active, queued, done, failed, median. */
const COLS = [7, 8, 8, 8, 9] as const;
const MARK = '  waiting';
const FIXED = 2 + COLS.reduce((a, b) => a + b, 0) + MARK.length;
const HOST_MAX = 36;
const HOST_MIN = 8;

export function hostWidth(width: number): number {
  return Math.max(HOST_MIN, Math.min(HOST_MAX, width - FIXED));
}

function row(cells: string[], hw: number): string {
  return '  ' + padEnd(cells[0]!, hw) + COLS.map((w, i) => padStart(cells[i + 1]!, w)).join('');
}

function HostRow({ host: h, perHost, hw }: { host: HostSnapshot; perHost: number; hw: number }) {
  const median = h.medianMs === null ? '–' : `${Math.round(h.medianMs)} ms`;
  const text = row([sanitize(h.label), `${h.active}/${perHost}`, `${h.queued}`, `${h.done}`, `${h.failed}`, median], hw);
  return (
    <Text wrap="truncate-end" color={h.waiting ? 'yellow' : undefined}>
      {text}
      {h.waiting ? MARK : ''}
    </Text>
  );
}

export function Hosts({ snapshot: s, width, maxHosts }: { snapshot: Snapshot; width: number; maxHosts: number }) {
  const hw = hostWidth(width);
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
          {row(['host', 'active', 'queued', 'done', 'failed', 'median'], hw)}
        </Text>
      )}
      {hosts.map((h) => (
        <HostRow key={h.label} host={h} perHost={s.perHost} hw={hw} />
      ))}
    </Box>
  );
}
