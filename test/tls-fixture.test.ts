// The TLS rig itself, checked with Node's own TLS client: each server presents the certificate
// problem it is named after, the TLS 1.0 server really speaks only TLS 1.0, the dates are as made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { connect, type ConnectionOptions } from 'node:tls';
import { startTlsRig, type TlsServerName } from '../fixtures/tls.js';

interface Probe {
  error?: string;
  authorizationError?: string;
  protocol?: string | null;
}

function probe(port: number, extra: ConnectionOptions): Promise<Probe> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1', servername: 'a.test', ...extra });
    s.setTimeout(5000, () => s.destroy(new Error('probe timed out')));
    s.once('secureConnect', () => {
      const out: Probe = { protocol: s.getProtocol() };
      const why = s.authorizationError;
      if (why) out.authorizationError = String(why);
      s.destroy();
      resolve(out);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

test('TLS rig: each server presents its certificate problem to a client that trusts only the test root', async (t) => {
  const rig = await startTlsRig();
  t.after(() => rig.close());
  const ca = rig.pki.root.cert;
  const expected: Partial<Record<TlsServerName, string | undefined>> = {
    good: undefined,
    expired: 'CERT_HAS_EXPIRED',
    notYetValid: 'CERT_NOT_YET_VALID',
    selfSigned: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    wrongHost: 'ERR_TLS_CERT_ALTNAME_INVALID',
    unknownCa: 'SELF_SIGNED_CERT_IN_CHAIN',
    noIntermediate: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  };
  for (const [name, why] of Object.entries(expected) as [TlsServerName, string | undefined][]) {
    const p = await probe(rig.ports[name], { ca, rejectUnauthorized: false });
    assert.equal(p.error, undefined, name);
    assert.equal(p.authorizationError, why, name);
    assert.equal(p.protocol, 'TLSv1.3', name);
  }
  const pinned = await probe(rig.ports.good, { ca, rejectUnauthorized: true, host: '127.0.0.1', servername: '' });
  assert.equal(pinned.error, undefined, 'the good certificate also names 127.0.0.1');
});

test('TLS rig: the TLS 1.0 server refuses TLS 1.2+ and speaks TLS 1.0 to a client at SECLEVEL=0', async (t) => {
  const rig = await startTlsRig();
  t.after(() => rig.close());
  const modern = await probe(rig.ports.tls10, { ca: rig.pki.root.cert });
  assert.equal(modern.error, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
  const old = await probe(rig.ports.tls10, { ca: rig.pki.root.cert, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' });
  assert.equal(old.error, undefined);
  assert.equal(old.protocol, 'TLSv1');
});

test('TLS rig: the expired certificate ended in 2020 and the early one starts in 2099 (openssl ca -startdate/-enddate)', async (t) => {
  const rig = await startTlsRig();
  t.after(() => rig.close());
  const expired = new X509Certificate(rig.pki.expired.cert);
  const early = new X509Certificate(rig.pki.notYetValid.cert);
  assert.equal(new Date(expired.validTo).getUTCFullYear(), 2020);
  assert.equal(new Date(early.validFrom).getUTCFullYear(), 2099);
  assert.ok(expired.checkIssued(new X509Certificate(rig.pki.intermediate.cert)));
  assert.ok(new X509Certificate(rig.pki.intermediate.cert).checkIssued(new X509Certificate(rig.pki.root.cert)));
});
