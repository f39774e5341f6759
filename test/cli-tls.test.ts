// HTTPS through the real CLI against the TLS rig (fixtures/tls.ts, certificates made by openssl at
// start): each certificate problem is ECERT with its reason in plain words, handshake failures are
// ETLS, none is retried; -k fetches anyway and says why; --cacert and NODE_EXTRA_CA_CERTS add trust;
// --cert/--key present a client certificate; TLS sessions are resumed on new connections.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { startTlsRig, type TlsRig, type TlsServerName } from '../fixtures/tls.js';
import { runCli, tempDir, type CliResult } from './helpers/cli.js';

type Rec = Record<string, unknown>;
interface Err { code: string; message: string }

let rig: TlsRig;
before(async () => {
  rig = await startTlsRig({
    handler: (req, res, hit) => {
      const body = `<title>${hit.server} ${hit.path}</title>`;
      const close = req.url?.startsWith('/close');
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body), ...(close ? { connection: 'close' } : {}) });
      res.end(body);
    },
  });
});
after(() => rig.close());

const PROBLEMS: [TlsServerName, string][] = [
  ['expired', 'certificate has expired'],
  ['notYetValid', 'certificate is not yet valid'],
  ['selfSigned', 'self-signed certificate'],
  ['wrongHost', 'certificate is for other.test, not a.test'],
  ['unknownCa', 'certificate issued by an unknown authority "crawl unknown root"'],
  ['noIntermediate', 'certificate chain is incomplete: its issuer "crawl test intermediate" was not sent by the server and is not trusted'],
];

function resolveAll(): string[] {
  return [...(Object.keys(rig.ports) as TlsServerName[]).flatMap((n) => ['--resolve', rig.resolve(n)]), '--resolve', rig.resolve('plain')];
}

async function crawl(urls: string[], args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const r = await runCli(['-', '--progress', 'never', ...resolveAll(), ...args], { stdin: urls.join('\n') + '\n', env: { NODE_EXTRA_CA_CERTS: '', ...env } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, urls.length, r.stdout);
  return r;
}

function byUrl(r: CliResult, url: string): Rec {
  const rec = r.records.find((x) => x.url === url);
  assert.ok(rec, `a record for ${url}`);
  return rec;
}

function noOpensslText(message: string): void {
  assert.doesNotMatch(message, /deps\/openssl|\.c:\d+|error:0A0|SSL routines/, message);
}

test('certificate problems: ECERT with the reason in plain words, one attempt despite --retries, no request reaches the server', async () => {
  const urls = PROBLEMS.map(([n]) => rig.url(n, '/page'));
  const hitsBefore = rig.hits.length;
  const r = await crawl(urls, ['--cacert', rig.pki.root.certFile, '--retries', '2']);
  for (const [name, message] of PROBLEMS) {
    const rec = byUrl(r, rig.url(name, '/page'));
    assert.equal(rec.ok, false, name);
    assert.equal(rec.status, null, name);
    assert.deepEqual(rec.error, { code: 'ECERT', message }, name);
    assert.equal(rec.attempts, 1, `${name}: not retried`);
    assert.equal(rec.tls, undefined, `${name}: no tls field without a response`);
  }
  assert.equal(rig.hits.length, hitsBefore, 'no HTTP request was sent over a refused certificate');
});

test('-k: every certificate problem is fetched anyway; tls says verified false and why', async () => {
  const urls = [...PROBLEMS.map(([n]) => rig.url(n, '/k')), rig.url('good', '/k')];
  const r = await crawl(urls, ['-k', '--cacert', rig.pki.root.certFile]);
  for (const [name, message] of PROBLEMS) {
    const rec = byUrl(r, rig.url(name, '/k'));
    assert.equal(rec.ok, true, name);
    assert.equal(rec.title, `${name} /k`);
    assert.deepEqual(rec.tls, { version: 'TLSv1.3', verified: false, error: message }, name);
  }
  assert.deepEqual(byUrl(r, rig.url('good', '/k')).tls, { version: 'TLSv1.3', verified: true }, 'a good certificate is still verified under -k');
  const keys = Object.keys(byUrl(r, rig.url('good', '/k')));
  assert.ok(keys.indexOf('tls') > keys.indexOf('title') && keys.indexOf('tls') < keys.indexOf('attempts'), keys.join(','));
});

test('trust: the test root is unknown by default, trusted with --cacert or NODE_EXTRA_CA_CERTS; http records have no tls', async () => {
  const good = rig.url('good', '/trust');
  const plain = `http://a.test:${rig.plainPort}/trust`;
  const untrusted = await crawl([good, plain], []);
  const err = byUrl(untrusted, good).error as Err;
  assert.equal(err.code, 'ECERT');
  assert.equal(err.message, 'certificate chain is incomplete: its issuer "crawl test root" was not sent by the server and is not trusted');
  assert.equal(byUrl(untrusted, plain).tls, undefined);
  assert.equal(byUrl(untrusted, plain).ok, true);

  for (const [how, args, env] of [
    ['--cacert', ['--cacert', rig.pki.root.certFile], {}],
    ['NODE_EXTRA_CA_CERTS', [], { NODE_EXTRA_CA_CERTS: rig.pki.root.certFile }],
  ] as const) {
    const r = await crawl([good], [...args], env);
    const rec = byUrl(r, good);
    assert.equal(rec.ok, true, `${how}: ${JSON.stringify(rec)}`);
    assert.deepEqual(rec.tls, { version: 'TLSv1.3', verified: true }, how);
  }
  // The good certificate also names 127.0.0.1: no --resolve needed.
  const byIp = `https://127.0.0.1:${rig.ports.good}/ip`;
  const r = await crawl([byIp], ['--cacert', rig.pki.root.certFile]);
  assert.deepEqual(byUrl(r, byIp).tls, { version: 'TLSv1.3', verified: true });
});

test('handshake failures: TLS 1.0 only, no common cipher, plain http on an https port are ETLS, in plain words, not retried (also with -k)', async () => {
  const tls10 = rig.url('tls10', '/old');
  const plain = `https://a.test:${rig.plainPort}/notls`;
  const noCipher = rig.url('noCipher', '/rsa');
  for (const extra of [[], ['-k']]) {
    const r = await crawl([tls10, plain, noCipher], ['--cacert', rig.pki.root.certFile, '--retries', '2', ...extra]);
    const c = byUrl(r, noCipher);
    assert.deepEqual(c.error, { code: 'ETLS', message: 'the server and crawl have no cipher or TLS parameters in common (handshake failure)' });
    assert.equal(c.attempts, 1);
    const a = byUrl(r, tls10);
    assert.deepEqual(a.error, { code: 'ETLS', message: 'the server and crawl have no TLS version in common (crawl speaks TLS 1.2 and 1.3)' });
    assert.equal(a.attempts, 1);
    const b = byUrl(r, plain);
    assert.deepEqual(b.error, { code: 'ETLS', message: 'the server did not answer in TLS (plain HTTP on an https port?)' });
    assert.equal(b.attempts, 1);
    noOpensslText((a.error as Err).message);
    noOpensslText((b.error as Err).message);
  }
});

test('--cert/--key: a server that demands a client certificate refuses crawl without one (ETLS) and accepts the test client', async () => {
  const url = rig.url('clientCert', '/me');
  const without = await crawl([url], ['--cacert', rig.pki.root.certFile, '--retries', '0']);
  assert.deepEqual(byUrl(without, url).error, { code: 'ETLS', message: 'the server wants a client certificate it accepts (--cert, --key)' });
  const hits = rig.hits.length;
  const withCert = await crawl([url], ['--cacert', rig.pki.root.certFile, '--cert', rig.pki.client.certFile, '--key', rig.pki.client.keyFile]);
  const rec = byUrl(withCert, url);
  assert.equal(rec.ok, true, JSON.stringify(rec));
  assert.equal(rig.hits.slice(hits).find((h) => h.server === 'clientCert')?.clientCn, 'crawl client');
});

test('--cacert/--cert/--key files that cannot be used are usage errors: exit 2, one line, no stack', async (t) => {
  const dir = await tempDir();
  t.after(() => dir.cleanup());
  const empty = dir.file('empty.pem');
  await writeFile(empty, 'not a certificate\n');
  const broken = dir.file('broken.pem');
  await writeFile(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  const cases: [string[], RegExp][] = [
    [['--cacert', dir.file('missing.pem')], /--cacert file .*missing\.pem: no such file/],
    [['--cacert', empty], /--cacert file .*empty\.pem holds no PEM certificate/],
    [['--cacert', broken], /--cacert file .*broken\.pem holds a certificate that cannot be parsed/],
    [['--cert', rig.pki.client.certFile], /holds no private key; give --key/],
    [['--key', rig.pki.client.keyFile], /--key needs --cert/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['-', '--progress', 'never', ...args], { stdin: `${rig.url('good')}\n` });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(r.stdout, '');
  }
});

test('TLS sessions are resumed: three connections to one host (the server closes each), the 2nd and 3rd resume the 1st session', async () => {
  const urls = [1, 2, 3].map((i) => rig.url('good', `/close/${i}`));
  const hits = rig.hits.length;
  // --limit 1 so each request opens its connection after the one before has closed.
  await crawl(urls, ['--cacert', rig.pki.root.certFile, '--limit', '1', '--per-host', '1']);
  const mine = rig.hits.slice(hits).filter((h) => h.server === 'good');
  assert.equal(mine.length, 3);
  assert.equal(new Set(mine.map((h) => h.connection)).size, 3, 'three connections');
  assert.deepEqual(mine.map((h) => h.resumed), [false, true, true]);
});
