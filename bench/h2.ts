// Does undici 7's allowH2 multiplex crawl's requests over one connection? `npm run build && node
// dist/bench/h2.js`: an http2 server (allowHTTP1) with the TLS rig's certificate answers 16 requests
// after 200 ms each, fetched 4 at a time (as --per-host 4 admits them) through an undici Agent built
// like crawl's (connections = --per-host), for HTTP/1.1, and h2 with several pool settings.
// It prints, per run: TLS connections (h2 sessions), the most requests in flight, wall time.
import { createSecureServer } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { rootCertificates } from 'node:tls';
import { makePki } from '../fixtures/pki.js';
import { Agent, buildConnector } from 'undici';

interface Row { run: string; connections: number; h2Sessions: number; maxInFlight: number; requests: number; ms: number }

async function main(): Promise<void> {
  const pki = await makePki();
  let connections = 0;
  let sessions = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createSecureServer({ key: pki.good.key, cert: pki.good.cert + pki.intermediate.cert, allowHTTP1: true }, (_req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      res.end('<title>ok</title>');
    }, 200);
  });
  server.on('secureConnection', (_s: TLSSocket) => connections++);
  server.on('session', () => sessions++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const origin = `https://127.0.0.1:${port}`;
  const rows: Row[] = [];
  const runs = [
    ['HTTP/1.1: connections 4, pipelining 1 (crawl today)', false, 4, 1],
    ['allowH2: connections 4, pipelining 1', true, 4, 1],
    ['allowH2: connections 4, pipelining 4', true, 4, 4],
    ['allowH2: connections 1, pipelining 4', true, 1, 4],
  ] as const;
  for (const [run, allowH2, perOrigin, pipelining] of runs) {
    connections = sessions = maxInFlight = 0;
    const connect = buildConnector({ allowH2, ca: [...rootCertificates, pki.root.cert] });
    const agent = new Agent({ connections: perOrigin, pipelining, allowH2, connect });
    const started = performance.now();
    let next = 0;
    let done = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < 16) {
        next++;
        const res = await agent.request({ origin, path: `/p${next}`, method: 'GET' });
        await res.body.text();
        done++;
      }
    }));
    rows.push({ run, connections, h2Sessions: sessions, maxInFlight, requests: done, ms: Math.round(performance.now() - started) });
    await agent.close();
  }
  server.close();
  await pki.remove();
  console.table(rows);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
