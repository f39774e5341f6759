// resolveLinks takes a shortcut for root-relative hrefs; whatever the href, its output must be exactly
// what resolving every href with the WHATWG URL parser gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkBase, resolveLinks } from '../src/extract/links.js';
import { referenceLinks as reference } from './helpers/links-reference.js';
import { rng } from '../fixtures/rng.js';

const PIECES = ['/', '//', '.', '..', '/./', '/../', '%2e', '%2E', '%', '%41', '?', '#', '&', '=', "'", '"', ' ', '\t', '\\', '@', ':', ';', '~', '!', '$', '(', ')', '*', '+', ',', '[', ']', '{', '}', '|', '^', '`', '<', '>', 'é', '日本', 'a', 'Z', '0', '-', '_', 'page', 'x.html', 'HTTP:', 'mailto:x', 'javascript:'];

test('resolveLinks gives exactly what the URL parser gives, for 20,000 generated hrefs over several bases', () => {
  const bases = ['http://127.0.0.1:8080/dir/page.html?q=1#top', 'https://Example.COM/a/b/', 'http://user:pw@127.0.0.2/x', 'http://127.0.0.3:80/', 'https://[::1]:8443/p?x'];
  const next = rng(42);
  for (const b of bases) {
    const base = new URL(b);
    const raws: string[] = [];
    for (let i = 0; i < 4000; i++) {
      let s = next() < 0.7 ? '/' : '';
      const n = 1 + Math.floor(next() * 6);
      for (let j = 0; j < n; j++) s += PIECES[Math.floor(next() * PIECES.length)];
      raws.push(s);
    }
    assert.deepEqual(resolveLinks(raws, base), reference(raws, base), `base ${b}`);
  }
});

test('root-relative hrefs resolve against the origin, keep query and case, drop fragments and duplicates', () => {
  const base = new URL('http://127.0.0.1:8080/dir/page');
  assert.deepEqual(resolveLinks(['/a/B?x=1&y=%20', '/a/B?x=1&y=%20#frag', '/a/../c', '/.well-known/x', "/q?it's", 'rel', '//other.test/p', 'mailto:a@b'], base), [
    'http://127.0.0.1:8080/a/B?x=1&y=%20',
    'http://127.0.0.1:8080/c',
    'http://127.0.0.1:8080/.well-known/x',
    'http://127.0.0.1:8080/q?it%27s',
    'http://127.0.0.1:8080/dir/rel',
    'http://other.test/p',
  ]);
});

test('linkBase: <base href> resolved against the page, the page itself when there is none or it is not a URL', () => {
  assert.equal(linkBase('http://127.0.0.1/a/b', '/root/')?.href, 'http://127.0.0.1/root/');
  assert.equal(linkBase('http://127.0.0.1/a/b', undefined)?.href, 'http://127.0.0.1/a/b');
  assert.equal(linkBase('http://127.0.0.1/a/b', 'http://[bad')?.href, 'http://127.0.0.1/a/b');
});

test('resolveLinks equals the URL parser on 30,000 generated relative, scheme-relative and absolute hrefs (the fast paths)', () => {
  const bases = ['http://127.0.0.1:8080/dir/sub/page.html?q=1', 'https://docs.example.org/a/b/', 'http://h.test/', 'https://h.test/x', 'http://u:p@h.test/a/b', 'https://[::1]:8443/p/q?x#f'];
  const starts = ['', '', './', '../', '../../', '../../../../', '?', '/', '//', 'http://', 'https://', 'HTTP://', 'http:', 'https:/', '#', 'a:', 'mailto:'];
  const hosts = ['example.com', 'a.b.c', 'h.test', 'xn--bcher-kva.example', '127.0.0.1', '1.2', 'a.0x1f', 'exa_mple.com', 'Example.COM', 'a..b', 'host:8080', 'host:80', 'u@h.test', 'h.test.', '-x-.test', '日本.jp'];
  const bits = ['a', 'b.html', '.', '..', '', '%2e', '%2E.', 'x%20y', '?', '?a=1&b=2', "'", ' ', ':', '@', '~', '!', '$', '(', ')', '*', '+', ',', ';', '=', '%', '%zz', '\\', '^', '`', '{', '|', 'é', '#frag', '//', 'index'];
  const next = rng(99);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  for (const b of bases) {
    const base = new URL(b);
    const raws: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const start = pick(starts);
      let s = start;
      if (start.endsWith('//') || start === 'http:' || start === 'https:/') s += pick(hosts);
      const n = Math.floor(next() * 6);
      for (let j = 0; j < n; j++) s += (next() < 0.6 ? '/' : '') + pick(bits);
      raws.push(s);
    }
    assert.deepEqual(resolveLinks(raws, base), reference(raws, base), `base ${b}`);
  }
});
