// crawl through the proxies users actually run: Debian's squid (absolute-form http, CONNECT for https)
// and microsocks (SOCKS5, with and without a password). .ci/run installs both; without them these
// tests fail saying so rather than skip.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, constants } from 'node:fs/promises';
import { MICROSOCKS, SQUID, startMicrosocks, startSquid } from '../fixtures/real-proxies.js';
import { startSite, type FixtureSite } from '../fixtures/site.js';
import { startTlsRig, type TlsRig } from '../fixtures/tls.js';
import { runCli } from './helpers/cli.js';

let site: FixtureSite;
let rig: TlsRig;
before(async () => {
  site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'] });
  rig = await startTlsRig();
});
after(() => Promise.all([site.close(), rig.close()]));

async function installed(path: string): Promise<void> {
  await access(path, constants.X_OK).catch(() => assert.fail(`${path} is missing: install it (apt-get install squid microsocks; .ci/run does)`));
}

async function throughProxy(proxy: string): Promise<{ plain: string; secure: string; records: Record<string, unknown>[] }> {
  const set = site.url('127.0.0.2', '/cookie/set');
  const plain = site.url('127.0.0.2', '/cookie/need');
  const secure = `https://127.0.0.1:${rig.ports.good}/real`;
  const r = await runCli(['-', '--progress', 'never', '--limit', '1', '--retries', '0', '--cacert', rig.pki.root.certFile, '-x', proxy], { stdin: [set, plain, secure].join('\n') + '\n' });
  assert.equal(r.code, 0, r.stderr);
  return { plain, secure, records: r.records };
}

test('squid: plain http as absolute-form requests (cookies kept), https through CONNECT with the certificate verified', async (t) => {
  await installed(SQUID);
  const squid = await startSquid();
  t.after(() => squid.close());
  const { plain, secure, records } = await throughProxy(squid.url);
  const p = records.find((x) => x.url === plain);
  const s = records.find((x) => x.url === secure);
  assert.equal(p?.title, 'Welcome', JSON.stringify(records));
  assert.equal(s?.ok, true, JSON.stringify(s));
  assert.deepEqual(s.tls, { version: 'TLSv1.3', verified: true });
  const log = (await squid.accessLog()).join('\n');
  assert.match(log, new RegExp(`GET ${plain.replace(/[.?/]/g, '\\$&')}`), log);
  assert.match(log, new RegExp(`CONNECT 127\\.0\\.0\\.1:${rig.ports.good}`), log);
  // squid's own refusal (its ACL allows loopback targets only) is EPROXY for a tunnel.
  const r = await runCli(['-', '--progress', 'never', '--retries', '0', '-x', squid.url], { stdin: 'https://192.0.2.1:9/\n' });
  assert.equal((r.records[0]?.error as { code: string } | undefined)?.code, 'EPROXY', r.stdout);
  assert.match(String((r.records[0]?.error as { message: string }).message), /refused the tunnel to 192\.0\.2\.1:9 \(HTTP 403\)/);
});

test('microsocks: http and https through SOCKS5, also with a user name and password, and a wrong password is EPROXY', async (t) => {
  await installed(MICROSOCKS);
  const open = await startMicrosocks();
  const locked = await startMicrosocks({ user: 'crawl', pass: 's3cret' });
  t.after(() => Promise.all([open.close(), locked.close()]));
  for (const proxy of [open.url, locked.url, open.url.replace('socks5:', 'socks5h:')]) {
    const { plain, secure, records } = await throughProxy(proxy);
    assert.equal(records.find((x) => x.url === plain)?.title, 'Welcome', `${proxy}: ${JSON.stringify(records)}`);
    assert.deepEqual(records.find((x) => x.url === secure)?.tls, { version: 'TLSv1.3', verified: true }, proxy);
  }
  const r = await runCli(['-', '--progress', 'never', '--retries', '0', '-x', `socks5://crawl:wrong@127.0.0.1:${locked.port}`], { stdin: `${site.url('127.0.0.1', '/page/1')}\n` });
  const err = r.records[0]?.error as { code: string; message: string } | undefined;
  assert.equal(err?.code, 'EPROXY', r.stdout);
  assert.match(err.message, /refused the user name and password|accepts none of crawl's SOCKS5 authentication methods/);
});
