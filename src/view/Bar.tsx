// The top two lines: the progress bar with done / total and ETA, then ok / failed counts,
// rates over the last few seconds and elapsed time.
import { Text } from 'ink';
import type { Snapshot } from './state.js';
import { formatBytes, formatClock, formatRate } from './format.js';

const BAR_MAX = 40;
const BAR_MIN = 10;

function barTail(s: Snapshot): string {
  const counts = `${s.done} / ${s.total}${s.inputDone ? '' : '+'}`;
  const pct = s.total > 0 ? Math.floor((s.done / s.total) * 100) : 100;
  if (s.finished) return `${counts}${s.inputDone ? `  ${pct}%` : ''}  ${s.stopping === 'no' ? 'done' : 'stopped'}`;
  if (!s.inputDone) return `${counts} (reading input)`;
  return `${counts}  ${pct}%  ETA ${s.etaMs === null ? '--:--' : formatClock(s.etaMs)}`;
}

export function Bar({ snapshot: s, width }: { snapshot: Snapshot; width: number }) {
  const tail = barTail(s);
  const barWidth = Math.max(BAR_MIN, Math.min(BAR_MAX, width - tail.length - 2));
  const fraction = s.total > 0 ? Math.min(1, s.done / s.total) : s.finished ? 1 : 0;
  const filled = Math.round(fraction * barWidth);
  return (
    <Text wrap="truncate-end">
      <Text color="green">{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(barWidth - filled)}</Text>
      {'  '}
      {tail}
    </Text>
  );
}

/** The final frame's rate is the whole run's, and says so: `23 pages/s over 0:12`. */
export function finalRate(s: Snapshot): string {
  const seconds = s.elapsedMs / 1000;
  const rate = seconds > 0 ? s.done / seconds : 0;
  return `${formatRate(rate)} pages/s over ${formatClock(s.elapsedMs)} · ${formatBytes(seconds > 0 ? s.bytes / seconds : 0)}/s`;
}

export function Totals({ snapshot: s }: { snapshot: Snapshot }) {
  return (
    <Text wrap="truncate-end">
      <Text color="green">{s.ok} ok</Text>
      {' · '}
      <Text color={s.failed > 0 ? 'red' : undefined} dimColor={s.failed === 0}>
        {s.failed} failed
      </Text>
      {s.retries > 0 ? ` · ${s.retries} ${s.retries === 1 ? 'retry' : 'retries'}` : ''}
      {s.finished ? ` · ${finalRate(s)}` : ` · ${formatRate(s.pagesPerSec)} pages/s · ${formatBytes(s.bytesPerSec)}/s · elapsed ${formatClock(s.elapsedMs)}`}
    </Text>
  );
}
