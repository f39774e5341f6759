// Network failures as records: ENOTFOUND through the session with an injected resolver (no real DNS),
// ECONNREFUSED with attempts = retries + 1, ETIMEDOUT within --timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { startSite } from '../fixtures/site.js';
import { Jar } from '../src/fetch/cookies.js';
import { attempt, type FetchSettings } from '../src/fetch/fetch.js';
import { Stopper } from '../src/fetch/stopper.js';
import { createDispatcher } from '../src/fetch/session.js';
import { runCli } from './helpers/cli.js';
import { closedPort } from './helpers/resilience.js';

type Rec = Record<string, unknown>;

test('ENOTFOUND: a name the resolver cannot find gives {kind: error, code: ENOTFOUND}, via the injected lookup only', async (t) => {
  const asked: string[] = [];
  const lookup = (
    host: string,
    opts: LookupOptions,
    cb: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    asked.push(host);
    const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
    // net asks for every address ({all: true}) when it races families; answer in the form it asked for.
    if (opts.all) cb(err, []);
    else cb(err, '', 4);
  };
  const dispatcher = createDispatcher({ perHost: 1, timeout: 2000, resolve: [], env: {}, lookup });
  t.after(() => dispatcher.destroy());
  const settings: FetchSettings = {
    dispatcher,
    jar: new Jar(),
    headers: [],
    userAgent: 'crawl-test',
    timeout: 2000,
    maxRedirects: 5,
    maxBytes: 1024 * 1024,
    keepBytes: 1024 * 1024,
    stop: new Stopper(),
  };
  const outcome = await attempt('http://no-such-host.invalid/', 'http://no-such-host.invalid', settings);
  assert.equal(outcome.kind, 'error');
  assert.ok(outcome.kind === 'error');
  assert.equal(outcome.code, 'ENOTFOUND', outcome.message);
  assert.equal(outcome.at.finalUrl, 'http://no-such-host.invalid/');
  assert.match(outcome.message, /no-such-host\.invalid/);
  assert.ok(asked.includes('no-such-host.invalid'), `the injected lookup was asked: ${JSON.stringify(asked)}`);
});

test('ECONNREFUSED: nothing listening on 127.0.0.3 gives ECONNREFUSED with attempts = retries + 1', async () => {
  const url = `http://127.0.0.3:${await closedPort(['127.0.0.3'])}/page/1`;
  for (const retries of [0, 1]) {
    const r = await runCli(['-', '--retries', String(retries), '--progress', 'never'], { stdin: url + '\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.records.length, 1);
    const rec = r.records[0]!;
    assert.equal(rec.ok, false);
    assert.equal(rec.status, null);
    assert.equal((rec.error as Rec).code, 'ECONNREFUSED');
    assert.equal(rec.attempts, retries + 1, `--retries ${retries}`);
  }
});

test('ETIMEDOUT: a response slower than -t 500 ends as ETIMEDOUT after one attempt, well before the server would answer', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  t.after(() => site.close());
  const started = performance.now();
  const r = await runCli(['-', '-t', '500', '--retries', '0', '--progress', 'never'], { stdin: site.url('127.0.0.1', '/slow?delay=5000') + '\n' });
  const elapsed = performance.now() - started;
  assert.equal(r.code, 0, r.stderr);
  const rec = r.records[0]!;
  assert.equal(rec.ok, false);
  assert.equal((rec.error as Rec).code, 'ETIMEDOUT');
  assert.equal(rec.attempts, 1);
  assert.equal(site.stats.requests, 1, 'the request reached the server');
  assert.ok((rec.ms as number) >= 450, `ms ${String(rec.ms)}`);
  assert.ok(elapsed < 4_000, `took ${Math.round(elapsed)} ms; the server answers after 5000`);
});
