// A SOCKS5 client as an undici connector (RFC 1928; user/password, RFC 1929, from the proxy URL):
// the tunnel replaces the TCP connection, and for https the TLS handshake then runs over it with the
// session's own TLS connector (session cache, our certificate checks), so a SOCKS-proxied origin
// behaves like a direct one: same per-origin pool, same verification. `socks5://` resolves the name
// here (and obeys --resolve), `socks5h://` hands the name to the proxy. undici 7.30 ships a
// Socks5ProxyAgent too, but it is marked experimental (a warning on stderr), does its own TLS without
// our checks or session cache, and always sends the name (socks5h only).
import { lookup as dnsLookup } from 'node:dns';
import { connect, isIP, type LookupFunction, type Socket } from 'node:net';
import type { buildConnector as BuildConnector } from 'undici';
import { FetchError } from './errors.js';

export interface SocksSettings {
  proxy: URL;
  timeout: number;
  /** host:port → address, from --resolve (socks5:// only). */
  resolve: Map<string, string>;
  lookup?: LookupFunction;
}

const REPLIES: Record<number, string> = {
  1: 'general failure',
  2: 'connection not allowed by its rules',
  3: 'network unreachable',
  4: 'host unreachable',
  5: 'connection refused',
  6: 'TTL expired',
  7: 'command not supported',
  8: 'address type not supported',
};

function proxyName(p: URL): string {
  return `${p.protocol}//${p.host}`;
}

/** Reads from `socket` until `need(buffer)` says how many bytes make a whole message (0: not yet). */
class Reader {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { need: (b: Buffer) => number; resolve: (b: Buffer) => void } | undefined;
  private failed: Error | undefined;
  private rejecter: ((e: Error) => void) | undefined;

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.once('error', this.onEnd);
    socket.once('close', this.onEnd);
  }

  private readonly onData = (d: Buffer): void => {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    this.check();
  };

  private readonly onEnd = (err?: unknown): void => {
    this.failed = err instanceof Error ? err : new Error('the proxy closed the connection');
    this.rejecter?.(this.failed);
  };

  private check(): void {
    if (!this.waiting) return;
    const n = this.waiting.need(this.buf);
    if (n === 0 || this.buf.length < n) return;
    const msg = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    const { resolve } = this.waiting;
    this.waiting = undefined;
    this.rejecter = undefined;
    resolve(msg);
  }

  read(need: (b: Buffer) => number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      this.waiting = { need, resolve };
      this.rejecter = reject;
      this.check();
    });
  }

  /** Stops reading; bytes that came after the last message go back to the socket for its next reader. */
  release(): void {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.pause();
    if (this.buf.length > 0) this.socket.unshift(this.buf);
  }
}

function lookupAddress(host: string, lookup: LookupFunction | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const fn = lookup ?? (dnsLookup as unknown as LookupFunction);
    fn(host, { family: 0, all: false }, (err, address) => {
      if (err) reject(err);
      else resolve(typeof address === 'string' ? address : (address[0]?.address ?? ''));
    });
  });
}

function addressBytes(host: string): Buffer {
  const kind = isIP(host);
  if (kind === 4) return Buffer.from([1, ...host.split('.').map(Number)]);
  if (kind === 6) {
    const [head = '', tail = ''] = host.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = host.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
    const b = Buffer.alloc(17);
    b[0] = 4;
    groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), 1 + i * 2));
    return b;
  }
  const name = Buffer.from(host);
  if (name.length > 255) throw new FetchError('EPROXY', 'host name too long for SOCKS5');
  return Buffer.concat([Buffer.from([3, name.length]), name]);
}

/** The SOCKS5 exchange on a connected socket: greeting, authentication, CONNECT to host:port. */
async function handshake(socket: Socket, s: SocksSettings, host: string, port: number): Promise<void> {
  const r = new Reader(socket);
  const user = decodeURIComponent(s.proxy.username);
  const pass = decodeURIComponent(s.proxy.password);
  const name = proxyName(s.proxy);
  socket.write(Buffer.from(user ? [5, 2, 0, 2] : [5, 1, 0]));
  const [ver, method] = await r.read(() => 2);
  if (ver !== 5) throw new FetchError('EPROXY', `${name} does not speak SOCKS5`);
  if (method === 0xff) throw new FetchError('EPROXY', `${name} accepts none of crawl's SOCKS5 authentication methods${user ? '' : ' (it may want user:password@ in the proxy URL)'}`);
  if (method === 2) {
    const u = Buffer.from(user);
    const p = Buffer.from(pass);
    socket.write(Buffer.concat([Buffer.from([1, u.length]), u, Buffer.from([p.length]), p]));
    const [, status] = await r.read(() => 2);
    if (status !== 0) throw new FetchError('EPROXY', `${name} refused the user name and password`);
  } else if (method !== 0) throw new FetchError('EPROXY', `${name} chose an unknown SOCKS5 authentication method`);
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16BE(port);
  socket.write(Buffer.concat([Buffer.from([5, 1, 0]), addressBytes(host), portBytes]));
  const head = await r.read((b) => {
    if (b.length < 5) return 0;
    const atyp = b[3];
    return 6 + (atyp === 1 ? 4 : atyp === 4 ? 16 : atyp === 3 ? 1 + b[4]! : 0);
  });
  if (head[1] !== 0) {
    throw new FetchError('EPROXY', `${name} could not connect to ${host}:${port}: ${REPLIES[head[1]!] ?? `reply ${head[1]}`}`);
  }
  r.release();
}

/**
 * A connector that reaches every origin through the SOCKS5 proxy; `tlsOver` is the session's TLS
 * connector, used with `httpSocket` to run the handshake over the tunnel.
 */
export function socksConnector(s: SocksSettings, tlsOver: BuildConnector.connector): BuildConnector.connector {
  const remote = s.proxy.protocol === 'socks5h:';
  const proxyPort = Number(s.proxy.port || 1080);
  const proxyHost = s.proxy.hostname.replace(/^\[|\]$/g, '');
  return (opts, callback) => {
    const port = Number(opts.port || (opts.protocol === 'https:' ? 443 : 80));
    const hostname = opts.hostname.replace(/^\[|\]$/g, '');
    let done = false;
    const finish = (err: Error | null, socket?: Socket): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        tunnel.destroy();
        callback(err, null);
      } else callback(null, socket!);
    };
    const tunnel = connect({ host: proxyHost, port: proxyPort });
    const timer = setTimeout(() => finish(new FetchError('ETIMEDOUT', `timed out after ${s.timeout} ms connecting through ${proxyName(s.proxy)}`)), s.timeout);
    let connected = false;
    tunnel.once('error', (err: NodeJS.ErrnoException) => {
      if (connected) return; // the handshake's reader, or later undici, reports it
      finish(new FetchError('EPROXY', `cannot connect to the proxy ${proxyName(s.proxy)}: ${err.code === 'ECONNREFUSED' ? 'connection refused' : (err.code ?? err.message)}`));
    });
    tunnel.once('connect', () => {
      connected = true;
      tunnel.setNoDelay(true);
      tunnel.setKeepAlive(true, 60_000);
      const target = remote ? Promise.resolve(hostname) : localAddress(hostname, port, s);
      target
        .then((host) => handshake(tunnel, s, host, port))
        .then(() => {
          if (done) return;
          if (opts.protocol !== 'https:') return finish(null, tunnel);
          clearTimeout(timer); // the TLS connector has its own connect timeout
          tlsOver({ ...opts, httpSocket: tunnel } as typeof opts, (err, socket) => finish(err, socket ?? undefined));
        })
        .catch((err: unknown) => {
          if (err instanceof FetchError) return finish(err);
          const why = err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
          // A failed local look-up is the target's ENOTFOUND, not the proxy's fault.
          if ((err as NodeJS.ErrnoException).syscall === 'getaddrinfo' || (err as NodeJS.ErrnoException).code === 'ENOTFOUND') return finish(err as Error);
          finish(new FetchError('EPROXY', `the SOCKS5 exchange with ${proxyName(s.proxy)} failed: ${why}`));
        });
    });
  };
}

/** socks5://: the address crawl connects to: a --resolve rule's, the literal, or a local look-up. */
function localAddress(hostname: string, port: number, s: SocksSettings): Promise<string> {
  const rule = s.resolve.get(`${hostname.toLowerCase()}:${port}`);
  if (rule !== undefined) return Promise.resolve(rule);
  if (isIP(hostname)) return Promise.resolve(hostname);
  return lookupAddress(hostname, s.lookup);
}
