// The notice shown once SIGINT/SIGTERM arrived: finishing in-flight work, or forcing.
import { Text } from 'ink';
import type { Snapshot } from './state.js';

export function stoppingText(s: Snapshot): string | null {
  if (s.stopping === 'no') return null;
  const requests = `${s.inFlight} in-flight ${s.inFlight === 1 ? 'request' : 'requests'}`;
  if (s.finished) return 'Interrupted: stopped before the end of the input.';
  if (s.stopping === 'force') return `Forcing stop: abandoning ${requests}.`;
  return `Stopping: finishing ${requests} · press Ctrl-C again to force.`;
}

export function Stopping({ snapshot }: { snapshot: Snapshot }) {
  const text = stoppingText(snapshot);
  if (text === null) return null;
  return (
    <Text wrap="truncate-end" color={snapshot.stopping === 'force' ? 'red' : 'yellow'}>
      {text}
    </Text>
  );
}
