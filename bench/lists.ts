// URL lists for the bench, written to a temp dir at start. Every URL is distinct, so nothing dedupes,
// and the hosts take turns, so every list is spread evenly over 127.0.0.1–127.0.0.4.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];

/** Writes `count` URLs made by `make(i)` (i from 0) to `path`, one a line, with back-pressure. */
export async function writeList(path: string, count: number, make: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += make(i) + '\n';
    if (chunk.length >= 64 * 1024) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

export function base(port: number, host: string): string {
  return `http://${host}:${port}`;
}

/** URL i of a list spread round robin over the four hosts. */
export function spread(port: number, i: number, path: string): string {
  return base(port, HOSTS[i % HOSTS.length]!) + path;
}
