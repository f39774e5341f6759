// The jar's "Leave Secure cookies alone" rule (RFC 6265bis §5.7 step 16), on the Jar directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Jar } from '../src/fetch/cookies.js';

test('plain http cannot replace a Secure cookie of the same name, domain-matching either way, on a path under it', () => {
  const jar = new Jar();
  jar.store('sid=secret; Secure; Domain=a.test; Path=/', 'https://www.a.test/');
  jar.store('sid=evil', 'http://www.a.test/x'); // same name, host under the cookie's domain
  jar.store('sid=evil2; Domain=a.test; Path=/deep', 'http://a.test/'); // a shadow on a longer path
  assert.equal(jar.header('https://www.a.test/deep/'), 'sid=secret');
  assert.equal(jar.header('http://www.a.test/deep/'), '');
});

test('a Secure cookie on a subdomain also blocks a parent-domain cookie from plain http (the "vice versa")', () => {
  const jar = new Jar();
  jar.store('sid=secret; Secure', 'https://sub.a.test/');
  jar.store('sid=evil; Domain=a.test', 'http://a.test/');
  assert.equal(jar.header('https://sub.a.test/'), 'sid=secret');
});

test('plain http still sets other names, other sites, paths outside the Secure one, and over again once it expired', () => {
  const jar = new Jar();
  jar.store('sid=secret; Secure; Path=/app', 'https://a.test/app/');
  jar.store(['other=1', 'sid=outside; Path=/public'], 'http://a.test/');
  jar.store('sid=elsewhere', 'http://b.test/');
  assert.equal(jar.header('http://a.test/public/'), 'sid=outside; other=1');
  assert.equal(jar.header('http://b.test/'), 'sid=elsewhere');
  jar.store('sid=gone; Secure; Path=/app; Max-Age=0', 'https://a.test/app/'); // removes it
  jar.store('sid=now; Path=/app', 'http://a.test/app/');
  assert.equal(jar.header('http://a.test/app/'), 'sid=now; other=1');
});
