// Every record's keys come in FIELD_ORDER (src/record.ts), whatever the outcome, and no record has a
// key the contract does not list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecord } from '../src/extract/build.js';
import { loadDomExtractor } from '../src/extract/dom.js';
import type { FetchOutcome } from '../src/fetch/fetch.js';
import { FIELD_ORDER } from '../src/record.js';

function assertOrdered(record: object): void {
  const keys = Object.keys(record);
  const positions = keys.map((k) => (FIELD_ORDER as readonly string[]).indexOf(k));
  assert.ok(!positions.includes(-1), `keys not in FIELD_ORDER: ${keys.filter((_, i) => positions[i] === -1).join(', ')}`);
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b), `keys out of order: ${keys.join(', ')}`);
}

const page = Buffer.from('<html><head><title>T</title></head><body><a href="/x">x</a><h1>H</h1></body></html>');
const response = { status: 200, finalUrl: 'http://a.test/', redirects: 1, contentType: 'text/html', body: page, bytes: page.length, truncated: true, ip: '127.0.0.1' };

test('records of every kind keep FIELD_ORDER', async () => {
  const dom = await loadDomExtractor([{ name: 'h1', css: 'h1' }], true);
  const outcomes: FetchOutcome[] = [
    { kind: 'response', response, attempts: 1 },
    { kind: 'response', response: { ...response, status: 404 }, attempts: 3 },
    { kind: 'error', code: 'ETIMEDOUT', message: 'timed out', attempts: 2, at: { finalUrl: 'http://a.test/', redirects: 0 } },
    { kind: 'error', code: 'ECONNRESET', message: 'reset', attempts: 2, at: { finalUrl: 'http://a.test/', redirects: 0 }, ip: '::1' },
    { kind: 'error', code: 'EBODY', message: 'bad gzip', attempts: 1, at: { finalUrl: 'http://a.test/', redirects: 0 }, response: { status: 200, finalUrl: 'http://a.test/', redirects: 0, contentType: 'text/html', bytes: 3, truncated: false } },
  ];
  const records = outcomes.flatMap((o) => [buildRecord('http://a.test/', o, dom, 5), buildRecord('http://a.test/', o, null, 5)]);
  for (const r of records) assertOrdered(r);
  const full = records[0]!;
  assert.deepEqual(Object.keys(full), ['url', 'ok', 'status', 'finalUrl', 'redirects', 'ip', 'contentType', 'bytes', 'title', 'truncated', 'fields', 'links', 'attempts', 'ms']);
  assert.deepEqual(Object.keys(records[2]!), ['url', 'ok', 'status', 'finalUrl', 'redirects', 'ip', 'contentType', 'bytes', 'title', 'truncated', 'fields', 'links', 'attempts', 'ms', 'error']);
  assert.deepEqual(Object.keys(records[4]!), ['url', 'ok', 'status', 'finalUrl', 'redirects', 'attempts', 'ms', 'error'], 'no ip when no connection was made');
  assert.equal(records[6]!.ip, '::1', 'a connection that failed before a response still names its address');
});

test('a record with a field out of order is caught', () => {
  assert.throws(() => assertOrdered({ url: 'u', status: 200, ok: true }), /out of order/);
  assert.throws(() => assertOrdered({ url: 'u', surprise: 1 }), /not in FIELD_ORDER/);
});
