// The bench's fixture server, in its own process so it never shares a core with the measured client:
// serves the fixture site on 127.0.0.1–127.0.0.4 (one port), prints {"port":N} as one JSON line on
// stdout and runs until SIGTERM/SIGINT. It also runs the DNS fixture on a UDP port of 127.0.0.1
// (`"dns":"127.0.0.1:N"` in that line), answering `n<i>.many.test` with host i mod 4 after
// --dns-delay MS (default 30), for the many-hosts scenario. With --exit-with-stdin it also stops when stdin closes, so a
// runner that dies without cleaning up cannot leave it behind. A line `ports N` on stdin starts N more
// origins (fixtures/ports.ts: one tiny server per loopback port) and answers with one JSON line,
// {"ports":[…]} or {"error":"…"}; they start on request because 10,000 take seconds to bind.
import { createInterface } from 'node:readline';
import { startDns } from '../fixtures/dns.js';
import { startPorts, type ManyPorts } from '../fixtures/ports.js';
import { startSite } from '../fixtures/site.js';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];

async function main(): Promise<void> {
  const site = await startSite({ hosts: HOSTS, log: false });
  const at = process.argv.indexOf('--dns-delay');
  const delayMs = at === -1 ? 30 : Number(process.argv[at + 1]);
  const dns = await startDns({
    delayMs,
    answer: (name) => {
      const m = /^n(\d+)\.many\.test$/.exec(name);
      return m ? { a: [HOSTS[Number(m[1]) % HOSTS.length]!], ttl: 300 } : undefined;
    },
  });
  const many: ManyPorts[] = [];
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    Promise.all([site.close(), dns.close(), ...many.map((m) => m.close())]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const commands = createInterface({ input: process.stdin, crlfDelay: Infinity });
  commands.on('line', (line) => {
    const m = /^ports (\d+)$/.exec(line.trim());
    if (!m) return;
    startPorts(Number(m[1])).then(
      (p) => {
        many.push(p);
        process.stdout.write(JSON.stringify({ ports: p.ports }) + '\n');
      },
      (err: unknown) => process.stdout.write(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }) + '\n'),
    );
  });
  if (process.argv.includes('--exit-with-stdin')) {
    commands.once('close', stop);
    process.stdin.once('error', stop);
  }
  process.stdout.write(JSON.stringify({ port: site.port, dns: dns.server }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench server failed to start: ${String(err)}\n`);
  process.exit(1);
});
