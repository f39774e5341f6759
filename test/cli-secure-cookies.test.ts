// Secure cookies over https and plain http on one host name (a.test, two ports, --resolve): a Secure
// cookie goes back over https only, and a plain-http response can neither overwrite nor shadow it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startTlsRig, type Hit } from '../fixtures/tls.js';
import { runCli, tempDir } from './helpers/cli.js';

type Rec = Record<string, unknown>;

/** /set?c=<Set-Cookie> sets it; /go?to=<url> redirects there; every page's title is the Cookie header it got. */
function cookieRoutes(req: IncomingMessage, res: ServerResponse, _hit: Hit): void {
  const u = new URL(req.url ?? '/', 'http://x');
  const headers: Record<string, string | string[]> = {};
  const set = u.searchParams.getAll('c');
  if (set.length > 0) headers['set-cookie'] = set;
  const to = u.searchParams.get('to');
  if (to) {
    res.writeHead(302, { ...headers, location: to, 'content-length': '0' });
    res.end();
    return;
  }
  const body = `<title>cookie=[${req.headers.cookie ?? ''}]</title>`;
  res.writeHead(200, { ...headers, 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

test('Secure cookies: sent back over https only; plain http cannot overwrite or shadow them', async (t) => {
  const rig = await startTlsRig({ handler: cookieRoutes });
  const dir = await tempDir();
  t.after(async () => {
    await rig.close();
    await dir.cleanup();
  });
  const https = (path: string): string => rig.url('good', path);
  const http = (path: string): string => `http://a.test:${rig.plainPort}${path}`;
  const q = encodeURIComponent;
  // One redirect chain, so the order is fixed: https sets the Secure cookie and a plain one; plain
  // http then tries to overwrite it, to shadow it on a longer path, and sets one of its own; https reads.
  const last = https('/deep/read');
  const step3 = http(`/set?c=${q('sid=evil; Path=/')}&c=${q('sid=shadow; Path=/deep')}&c=${q('plain2=p')}&to=${q(last)}`);
  const step2 = http(`/seen?to=${q(step3)}`);
  const start = https(`/set?c=${q('sid=secret; Secure; Path=/')}&c=${q('plain=1; Path=/')}&to=${q(step2)}`);
  const jar = dir.file('jar.txt');
  const r = await runCli(
    ['-', '--progress', 'never', '--retries', '0', '--resolve', rig.resolve('good'), '--resolve', rig.resolve('plain'), '-c', jar],
    { stdin: `${start}\n`, env: { NODE_EXTRA_CA_CERTS: rig.pki.root.certFile } },
  );
  assert.equal(r.code, 0, r.stderr);
  const rec = r.records[0]!;
  assert.equal(rec.ok, true, JSON.stringify(rec));
  assert.equal(rec.redirects, 3);
  // The final https page got the Secure cookie's original value, and no shadow on /deep.
  assert.equal(rec.title, 'cookie=[sid=secret; plain=1; plain2=p]');

  const plainHits = rig.hits.filter((h) => h.server === 'plain');
  assert.equal(plainHits.length, 2);
  for (const h of plainHits) {
    assert.doesNotMatch(String(h.headers.cookie ?? ''), /sid=/, `plain http ${h.path} got no Secure cookie`);
    assert.match(String(h.headers.cookie ?? ''), /plain=1/, 'plain http does get the non-Secure cookie');
  }
  const saved = await readFile(jar, 'utf8');
  const sid = saved.split('\n').filter((l) => /\tsid\t/.test(l));
  assert.equal(sid.length, 1, saved);
  assert.match(sid[0]!, /\tTRUE\t\d+\tsid\tsecret$|\tTRUE\t0\tsid\tsecret$/);
});

test('Secure cookies: without a Secure one in the jar, plain http sets and replaces cookies as before', async (t) => {
  const rig = await startTlsRig({ handler: cookieRoutes });
  t.after(() => rig.close());
  const q = encodeURIComponent;
  const read = `http://a.test:${rig.plainPort}/read`;
  const start = `http://a.test:${rig.plainPort}/set?c=${q('sid=one')}&to=${q(`http://a.test:${rig.plainPort}/set?c=${q('sid=two')}&to=${q(read)}`)}`;
  const r = await runCli(['-', '--progress', 'never', '--resolve', rig.resolve('plain')], { stdin: `${start}\n` });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((r.records[0] as Rec).title, 'cookie=[sid=two]');
});
