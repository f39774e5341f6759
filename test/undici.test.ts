// The session loads undici's dispatcher modules directly (src/fetch/undici.ts) to skip the ~75 ms
// the package index costs at start-up. These tests fail if an undici upgrade moves those modules or
// if something starts loading the whole index again on the default path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as undici from 'undici';
import { Agent, buildConnector, loadEnvHttpProxyAgent } from '../src/fetch/undici.js';

test('the directly loaded Agent, buildConnector and EnvHttpProxyAgent are the very ones undici exports', () => {
  assert.equal(Agent, undici.Agent);
  assert.equal(buildConnector, undici.buildConnector);
  assert.equal(loadEnvHttpProxyAgent(), undici.EnvHttpProxyAgent);
});

test('creating the session dispatcher without a proxy does not load undici\'s index', () => {
  const session = fileURLToPath(new URL('../src/fetch/session.js', import.meta.url));
  const script = `
    const { createRequire } = await import('node:module');
    const { createDispatcher } = await import(${JSON.stringify(session)});
    const d = createDispatcher({ perHost: 2, timeout: 1000, resolve: [], env: {} });
    const cache = createRequire(import.meta.url).cache;
    const loaded = Object.keys(cache).filter((f) => f.includes('/node_modules/undici/'));
    console.log(JSON.stringify({ index: loaded.some((f) => f.endsWith('/node_modules/undici/index.js')), agent: loaded.some((f) => f.endsWith('/lib/dispatcher/agent.js')) }));
    await d.close();
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), { index: false, agent: true });
});
