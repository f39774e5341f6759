// Which proxy a run uses and which hosts skip it: -x over HTTP(S)_PROXY, --noproxy over NO_PROXY,
// and the NO_PROXY list as curl reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseProxy, noProxyMatcher } from '../src/fetch/proxy.js';

test('chooseProxy: -x wins over the environment for both schemes; --noproxy over NO_PROXY; nothing set is no proxy', () => {
  const env = { HTTP_PROXY: 'http://env:1', https_proxy: 'http://envs:2', NO_PROXY: 'a.test' };
  assert.deepEqual(chooseProxy('socks5h://x:1080', undefined, env), { http: 'socks5h://x:1080', https: 'socks5h://x:1080', noProxy: 'a.test' });
  assert.deepEqual(chooseProxy(undefined, 'b.test', env), { http: 'http://env:1', https: 'http://envs:2', noProxy: 'b.test' });
  assert.deepEqual(chooseProxy(undefined, undefined, { HTTPS_PROXY: 'http://s:3' }), { https: 'http://s:3', noProxy: '' });
  assert.equal(chooseProxy(undefined, '*', {}), undefined);
});

test('noProxyMatcher: a host and its subdomains, a leading dot or *. alike, host:port for one port, * for all', () => {
  const skip = noProxyMatcher('example.com, .b.test,*.c.test 127.0.0.1:8080,[::1]');
  assert.equal(skip('example.com', 80), true);
  assert.equal(skip('www.example.com', 443), true);
  assert.equal(skip('notexample.com', 80), false);
  assert.equal(skip('b.test', 80), true);
  assert.equal(skip('x.c.test', 80), true);
  assert.equal(skip('127.0.0.1', 8080), true);
  assert.equal(skip('127.0.0.1', 8081), false);
  assert.equal(skip('[::1]', 80), true);
  assert.equal(noProxyMatcher('*')('anything', 1), true);
  assert.equal(noProxyMatcher('')('anything', 1), false);
});
