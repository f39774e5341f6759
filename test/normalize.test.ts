// Input URL normalization: what an input line becomes (the WHATWG URL parser's serialization, http(s)
// only, no fragment) and the reason a line is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeUrl } from '../src/input/normalize.js';

function href(line: string): string {
  const n = normalizeUrl(line);
  assert.ok(n.ok, `${line}: expected ok, got ${n.ok ? '' : n.reason}`);
  assert.ok(n.url instanceof URL);
  assert.equal(n.url.href, n.href, 'the URL object and the href agree');
  return n.href;
}

function reason(line: string): string {
  const n = normalizeUrl(line);
  assert.ok(!n.ok, `${line}: expected a refusal, got ${n.ok ? n.href : ''}`);
  return n.reason;
}

test('http and https URLs are taken, with an empty path made "/"', () => {
  assert.equal(href('http://example.com'), 'http://example.com/');
  assert.equal(href('https://example.com/a/b?q=1'), 'https://example.com/a/b?q=1');
  assert.equal(href('http://127.0.0.1:8080/page/1'), 'http://127.0.0.1:8080/page/1');
});

test('scheme and host are lower-cased; path and query keep their case', () => {
  assert.equal(href('HTTP://EXAMPLE.COM/Path/To?Q=Yes'), 'http://example.com/Path/To?Q=Yes');
  assert.equal(href('HtTpS://Example.Com'), 'https://example.com/');
});

test('default ports are dropped, others kept', () => {
  assert.equal(href('http://example.com:80/x'), 'http://example.com/x');
  assert.equal(href('https://example.com:443/x'), 'https://example.com/x');
  assert.equal(href('http://example.com:443/x'), 'http://example.com:443/x');
  assert.equal(href('https://example.com:80/x'), 'https://example.com:80/x');
  assert.equal(href('http://example.com:8080/'), 'http://example.com:8080/');
  assert.equal(href('http://example.com:0080/'), 'http://example.com/', 'leading zeros of the port');
});

test('the fragment is dropped, an empty one too; the query stays', () => {
  assert.equal(href('http://a.test/page#section-2'), 'http://a.test/page');
  assert.equal(href('http://a.test/page#'), 'http://a.test/page');
  assert.equal(href('http://a.test/p?q=1#x'), 'http://a.test/p?q=1');
  assert.equal(href('http://a.test/#/route?x=1'), 'http://a.test/');
  assert.equal(href('http://a.test/a%23b'), 'http://a.test/a%23b', 'an encoded # is not a fragment');
  const n = normalizeUrl('http://a.test/page#frag');
  assert.ok(n.ok && n.url.hash === '' && !n.url.href.includes('#'));
});

test('paths: dot segments resolved, non-ASCII percent-encoded as UTF-8', () => {
  assert.equal(href('http://a.test/a/./b/../c'), 'http://a.test/a/c');
  assert.equal(href('http://a.test/café'), 'http://a.test/caf%C3%A9');
  assert.equal(href('http://a.test/?q=ü'), 'http://a.test/?q=%C3%BC');
  assert.equal(href('http://a.test/%7Euser'), 'http://a.test/%7Euser', 'existing escapes kept as they are');
});

test('IDN hosts become their punycode A-label form, case-folded', () => {
  assert.equal(href('http://Bücher.example/'), 'http://xn--bcher-kva.example/');
  assert.equal(href('https://日本語.jp/パス'), 'https://xn--wgv71a119e.jp/%E3%83%91%E3%82%B9');
  assert.equal(href('http://xn--bcher-kva.example/'), 'http://xn--bcher-kva.example/', 'an A-label stays');
  assert.equal(href('http://example\u3002com/'), 'http://example.com/', 'an ideographic full stop separates labels');
  assert.equal(href('http://ＥＸＡＭＰＬＥ.com/'), 'http://example.com/', 'full-width letters fold');
});

test('IPv6 literals are compressed and lower-cased; IPv4 in other notations becomes dotted', () => {
  assert.equal(href('http://[::1]:8080/x'), 'http://[::1]:8080/x');
  assert.equal(href('http://[0:0:0:0:0:0:0:1]/'), 'http://[::1]/');
  assert.equal(href('http://[2001:DB8:0:0::1]:80/'), 'http://[2001:db8::1]/');
  assert.equal(href('https://[::ffff:127.0.0.1]/'), 'https://[::ffff:7f00:1]/');
  const n = normalizeUrl('http://[::1]:8080/');
  assert.ok(n.ok && n.url.hostname === '[::1]' && n.url.port === '8080');
  assert.equal(href('http://0x7f.1/'), 'http://127.0.0.1/');
  assert.equal(href('http://2130706433/'), 'http://127.0.0.1/');
});

test('user and password are kept (they become Basic auth)', () => {
  assert.equal(href('http://user:p%40ss@a.test/'), 'http://user:p%40ss@a.test/');
  const n = normalizeUrl('http://user:pw@a.test/');
  assert.ok(n.ok && n.url.username === 'user' && n.url.password === 'pw');
});

test('other schemes are refused, the reason naming the scheme', () => {
  const only = (scheme: string) => `unsupported scheme "${scheme}", only http and https`;
  assert.equal(reason('ftp://example.com/'), only('ftp'));
  assert.equal(reason('FTP://example.com/'), only('ftp'), 'named lower-case');
  assert.equal(reason('file:///etc/passwd'), only('file'));
  assert.equal(reason('mailto:someone@example.com'), only('mailto'));
  assert.equal(reason('javascript:alert(1)'), only('javascript'));
  assert.equal(reason('data:text/html,<title>x</title>'), only('data'));
  assert.equal(reason('ws://example.com/'), only('ws'));
  assert.equal(reason('wss://example.com/'), only('wss'));
});

test('what does not parse as an absolute URL is refused as such', () => {
  const not = 'not an absolute URL';
  assert.equal(reason(''), not);
  assert.equal(reason('http://'), not);
  assert.equal(reason('https://'), not);
  assert.equal(reason('http://[::1/'), not, 'unclosed IPv6 literal');
  assert.equal(reason('http://[::g]/'), not, 'not an IPv6 address');
  assert.equal(reason('http://a.test:99999/'), not, 'port out of range');
  assert.equal(reason('http://a.test:8o/'), not, 'port not a number');
  assert.equal(reason('http://a<b.test/'), not, 'forbidden host code point');
  assert.equal(reason('http://256.256.256.256/'), not, 'an IPv4 address out of range');
  assert.equal(reason('/just/a/path'), not);
  assert.equal(reason('?q=1'), not);
});

test('a line without a scheme is refused', () => {
  // Only that it is refused: the rough-edges issue gives these lines a "did you mean" hint.
  assert.equal(normalizeUrl('example.com').ok, false);
  assert.equal(normalizeUrl('www.example.com/path').ok, false);
});
