// The floor of the latency scenario: the same list over raw keep-alive sockets, --per-host connections
// per host and at most --limit requests in flight, with no HTTP library at all. A request is one
// write; a response is complete once its Content-Length bytes are in (the fixture sends
// Content-Length, never chunked or compressed). No cookies, redirects, timeouts, decoding or error
// handling: nothing a real client needs, so no client on this stack can beat it. Its wall time is
// what this machine and the fixture server allow.
//   node dist/bench/floor.js LIST --limit C --per-host P
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

interface HostQueue {
  host: string;
  port: number;
  urls: URL[];
  next: number;
}

function args(argv: string[]): { list: string; limit: number; perHost: number } {
  const list = argv[0];
  const limit = Number(argv[argv.indexOf('--limit') + 1]);
  const perHost = Number(argv[argv.indexOf('--per-host') + 1]);
  if (!list || !(limit > 0) || !(perHost > 0)) {
    process.stderr.write('usage: node dist/bench/floor.js LIST --limit C --per-host P\n');
    process.exit(2);
  }
  return { list, limit, perHost };
}

const { list, limit, perHost } = args(process.argv.slice(2));
const hosts = new Map<string, HostQueue>();
for (const line of readFileSync(list, 'utf8').split('\n')) {
  if (!line) continue;
  const u = new URL(line);
  let q = hosts.get(u.host);
  if (!q) hosts.set(u.host, (q = { host: u.hostname, port: Number(u.port || 80), urls: [], next: 0 }));
  q.urls.push(u);
}

let inFlight = 0;
let out = '';
const parked: (() => void)[] = [];
const TITLE = /<title>([^<]*)<\/title>/i;
const LENGTH = /\r\ncontent-length:\s*(\d+)/i;

function flush(): void {
  if (out) process.stdout.write(out);
  out = '';
}

function worker(q: HostQueue): void {
  const socket: Socket = connect(q.port, q.host);
  socket.setNoDelay(true);
  let buf: Buffer = Buffer.alloc(0);
  let current: URL | undefined;
  const send = (): void => {
    if (q.next >= q.urls.length) {
      socket.end();
      return;
    }
    if (inFlight >= limit) {
      parked.push(send);
      return;
    }
    inFlight++;
    current = q.urls[q.next++]!;
    socket.write(`GET ${current.pathname}${current.search} HTTP/1.1\r\nHost: ${current.host}\r\n\r\n`);
  };
  socket.on('connect', send);
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    const end = buf.indexOf('\r\n\r\n');
    if (end === -1) return;
    const head = buf.toString('latin1', 0, end);
    const length = Number(LENGTH.exec(head)?.[1] ?? 0);
    if (buf.length < end + 4 + length) return;
    const body = buf.toString('utf8', end + 4, end + 4 + length);
    buf = buf.subarray(end + 4 + length);
    const status = Number(head.slice(9, 12));
    out += JSON.stringify({ url: current!.href, ok: status >= 200 && status < 300, status, title: TITLE.exec(body)?.[1] ?? null }) + '\n';
    if (out.length > 65536) flush();
    inFlight--;
    parked.shift()?.();
    send();
  });
  socket.on('error', (err) => {
    process.stderr.write(`floor: ${q.host}:${q.port}: ${err.message}\n`);
    process.exitCode = 1;
  });
}

for (const q of hosts.values()) for (let i = 0; i < Math.min(perHost, q.urls.length); i++) worker(q);
process.on('beforeExit', flush);
