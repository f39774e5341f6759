// TEMPORARY local stand-in for fixtures/site.ts (startSite) while that module is being written;
// serves just the routes the Docker scenarios use. Removed once fixtures/site.ts lands.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MiniSite {
  port: number;
  hosts: string[];
  url(host: string, path: string): string;
  stats: { requests: number };
  close(): Promise<void>;
}

export async function startSite(options: { hosts?: string[]; port?: number } = {}): Promise<MiniSite> {
  const hosts = options.hosts ?? ['127.0.0.1'];
  const stats = { requests: 0 };
  const servers: Server[] = [];
  let port = options.port ?? 0;
  for (const host of hosts) {
    const server = createServer((req, res) => {
      stats.requests++;
      const url = new URL(req.url ?? '/', 'http://x');
      const page = /^\/page\/(\d+)$/.exec(url.pathname);
      if (page) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><title>Page ${page[1]}</title><p>hi`);
      } else if (url.pathname === '/slow') {
        const delay = Number(url.searchParams.get('delay') ?? '1000');
        const timer = setTimeout(() => {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end('<title>Slow</title>');
        }, delay);
        res.on('close', () => clearTimeout(timer));
      } else if (url.pathname === '/data.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      } else {
        const status = /^\/status\/(\d+)$/.exec(url.pathname);
        res.writeHead(status ? Number(status[1]) : 404, { 'content-type': 'text/plain' });
        res.end('status');
      }
    });
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    port = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  return {
    port,
    hosts,
    url: (host, path) => `http://${host}:${port}${path}`,
    stats,
    close: async () => {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}
