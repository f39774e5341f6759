// The many-hosts scenario on the default resolver path (no --dns-servers), run as root inside
// `unshare -mn`: a private network namespace (only its own loopback) and mount namespace, where
// /etc/resolv.conf is bind-mounted to point at the DNS fixture on 127.0.0.1:53. The fixture site and
// DNS server run in this process; the client is measured by GNU time (measure.ts) like every other
// run. Prints one JSON line: the client's usage, its checked output and the DNS server's counters.
//   unshare -mn node dist/bench/netns.js ROOT URLS NAMES DNS_DELAY PAGE_DELAY C P [-- extra crawl args]
import { execFileSync } from 'node:child_process';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDns } from '../fixtures/dns.js';
import { startSite } from '../fixtures/site.js';
import { HOSTS, writeList } from './lists.js';
import { measure, timeSource } from './measure.js';

async function main(): Promise<void> {
  const [root = '', ...nums] = process.argv.slice(2);
  const [n, names, dnsDelay, pageDelay, c, p] = nums.slice(0, 6).map(Number) as [number, number, number, number, number, number];
  const dash = process.argv.indexOf('--');
  const extra = dash === -1 ? [] : process.argv.slice(dash + 1);
  const dir = await mkdtemp(join(tmpdir(), 'crawl-netns-'));
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  const resolv = join(dir, 'resolv.conf');
  await writeFile(resolv, 'nameserver 127.0.0.1\n');
  execFileSync('mount', ['--bind', resolv, '/etc/resolv.conf']);
  const site = await startSite({ hosts: HOSTS, log: false });
  const dns = await startDns({
    port: 53,
    delayMs: dnsDelay,
    answer: (name) => {
      const m = /^n(\d+)\.many\.test$/.exec(name);
      return m ? { a: [HOSTS[Number(m[1]) % HOSTS.length]!], ttl: 300 } : undefined;
    },
  });
  try {
    const list = join(dir, 'list.txt');
    await writeList(list, n, (i) => `http://n${i % names}.many.test:${site.port}/page/${i + 1}?delay=${pageDelay}`);
    const outFile = join(dir, 'out.ndjson');
    const usage = await measure({
      args: [join(root, 'bin/crawl.js'), list, '--limit', String(c), '--per-host', String(p), '--progress', 'never', ...extra],
      cwd: root,
      outFile,
      timeFile: join(dir, 'time.txt'),
      timeoutMs: 120_000,
      source: timeSource(),
    });
    const lines = (await readFile(outFile, 'utf8')).split('\n').filter(Boolean);
    let right = 0;
    for (const line of lines) {
      const r = JSON.parse(line) as { url?: string; ok?: boolean; title?: string };
      if (r.ok === true && r.title === `Page ${/\/page\/(\d+)/.exec(r.url ?? '')?.[1] ?? '?'}`) right++;
    }
    process.stdout.write(JSON.stringify({ usage, lines: lines.length, right, dnsMaxInFlight: dns.maxInFlight(), dnsQueries: dns.total() }) + '\n');
  } finally {
    await dns.close();
    await site.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`netns bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
