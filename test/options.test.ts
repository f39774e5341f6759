// The option parsers and the FLAGS table, in-process: what each parser accepts and makes of a value,
// the one-line UsageError (a UserError) naming the flag for what it refuses, and argv → Options
// through commander built from the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions } from '../src/cli.js';
import {
  FLAGS,
  UsageError,
  checkOptions,
  choice,
  int,
  parseHeader,
  parseProxy,
  parseResolve,
  parseSelect,
  positiveNumber,
  repeatable,
  text,
  type FlagKey,
  type Options,
} from '../src/options.js';
import { UserError } from '../src/user-error.js';

/** Asserts that `f` throws a UsageError (so a UserError: exit 2) with exactly `message`. */
function refuses(f: () => unknown, message: string): void {
  assert.throws(f, (err: unknown) => {
    assert.ok(err instanceof UsageError, `a UsageError, got ${String(err)}`);
    assert.ok(err instanceof UserError);
    assert.equal(err.message, message);
    return true;
  });
}

test('int(min): decimal digits within the range, surrounding spaces allowed', () => {
  const p = int(1);
  assert.equal(p('1', 0, '--limit'), 1);
  assert.equal(p('64', 0, '--limit'), 64);
  assert.equal(p('007', 0, '--limit'), 7);
  assert.equal(p(' 12 ', 0, '--limit'), 12);
  assert.equal(p('9007199254740991', 0, '--limit'), Number.MAX_SAFE_INTEGER);
  assert.equal(int(0)('0', 5, '--retries'), 0, 'min 0 takes 0');
  assert.equal(int(1, 10)('10', 0, '--x'), 10, 'max is inclusive');
});

test('int(min): refuses below min, signs, fractions, exponents, hex, blanks, unsafe integers; the message names flag and value', () => {
  const p = int(1);
  refuses(() => p('0', 0, '--limit'), '--limit must be an integer ≥ 1, got "0"');
  for (const bad of ['-1', '+1', '1.5', '5.0', '1e3', '0x10', '', ' ', 'ten', '10ms', '9007199254740993']) {
    refuses(() => p(bad, 0, '--per-host'), `--per-host must be an integer ≥ 1, got "${bad}"`);
  }
  refuses(() => int(0)('-1', 0, '--retries'), '--retries must be an integer ≥ 0, got "-1"');
});

test('int(min, max): above max is refused with the range in the message', () => {
  refuses(() => int(1, 10)('11', 0, '--x'), '--x must be an integer from 1 to 10, got "11"');
  refuses(() => int(1, 10)('0', 0, '--x'), '--x must be an integer from 1 to 10, got "0"');
});

test('positiveNumber: finite numbers above 0, fractions included', () => {
  assert.equal(positiveNumber('2', 0, '--rate'), 2);
  assert.equal(positiveNumber('0.5', 0, '--rate'), 0.5);
  assert.equal(positiveNumber('1e2', 0, '--rate'), 100);
  for (const bad of ['0', '-1', '-0.5', '', ' ', 'abc', 'Infinity', 'NaN', '1/2']) {
    refuses(() => positiveNumber(bad, 0, '--rate'), `--rate must be a positive number, got "${bad}"`);
  }
});

test('choice: one of the listed values; the message lists them all', () => {
  const p = choice(['auto', 'always', 'never'] as const);
  assert.equal(p('auto', 'auto', '--progress'), 'auto');
  assert.equal(p('never', 'auto', '--progress'), 'never');
  refuses(() => p('sometimes', 'auto', '--progress'), '--progress must be one of auto, always, never, got "sometimes"');
  refuses(() => p('', 'auto', '--progress'), '--progress must be one of auto, always, never, got ""');
  refuses(() => p('auto ', 'auto', '--progress'), '--progress must be one of auto, always, never, got "auto "');
});

test('text: the value as given', () => {
  assert.equal(text(' a file name ', undefined, '--output'), ' a file name ');
  assert.equal(text('-', 'old', '--output'), '-', 'a later occurrence replaces an earlier one');
});

test('repeatable: each occurrence appended in order, the previous array left as it was', () => {
  const p = repeatable((v, name) => `${name}:${v}`);
  const none: string[] = [];
  const one = p('a', none, '--x');
  const two = p('b', one, '--x');
  assert.deepEqual(two, ['--x:a', '--x:b']);
  assert.deepEqual(one, ['--x:a'], 'not mutated');
  assert.deepEqual(none, [], 'the default is not mutated');
});

test('parseHeader: "Name: value" with the name as given and the value trimmed', () => {
  assert.deepEqual(parseHeader('Accept-Language: en', '--header'), ['Accept-Language', 'en']);
  assert.deepEqual(parseHeader('x-lower:v', '--header'), ['x-lower', 'v']);
  assert.deepEqual(parseHeader('X-Empty:', '--header'), ['X-Empty', '']);
  assert.deepEqual(parseHeader('X-Colons: a: b:c', '--header'), ['X-Colons', 'a: b:c']);
  assert.deepEqual(parseHeader('Authorization:   Bearer abc  ', '--header'), ['Authorization', 'Bearer abc']);
  assert.deepEqual(parseHeader("X-Token!#$%&'*+.^_`|~09: 1", '--header'), ["X-Token!#$%&'*+.^_`|~09", '1'], 'every tchar of RFC 9110');
});

test('parseHeader: no colon, an empty name or one with characters outside token is refused', () => {
  for (const bad of ['NoColon', ': value', ':', 'Bad Name: v', 'Bad(Name): v', 'Bäd: v', 'X"Y: v', 'X/Y: v']) {
    refuses(() => parseHeader(bad, '--header'), `--header must look like "Name: value", got "${bad}"`);
  }
});

test('parseSelect: name=css, and name=css@attr when what follows the last @ is an attribute name', () => {
  assert.deepEqual(parseSelect('title=title', '--select'), { name: 'title', css: 'title' });
  assert.deepEqual(parseSelect('h1=h1.main > span', '--select'), { name: 'h1', css: 'h1.main > span' });
  assert.deepEqual(parseSelect('img=img@src', '--select'), { name: 'img', css: 'img', attr: 'src' });
  assert.deepEqual(parseSelect('desc=meta[name=description]@content', '--select'), { name: 'desc', css: 'meta[name=description]', attr: 'content' });
  assert.deepEqual(parseSelect('x=svg use@xlink:href', '--select'), { name: 'x', css: 'svg use', attr: 'xlink:href' });
  assert.deepEqual(parseSelect('d=div@data-id', '--select'), { name: 'd', css: 'div', attr: 'data-id' });
  assert.deepEqual(parseSelect(' t = title ', '--select'), { name: 't', css: 'title' }, 'spaces around name and css');
  assert.deepEqual(parseSelect('m=a[href$="@example.com"]', '--select'), { name: 'm', css: 'a[href$="@example.com"]' }, 'an @ inside the selector is not an attribute');
  const noAttr = parseSelect('title=title', '--select');
  assert.equal('attr' in noAttr, false, 'no attr key when there is none');
});

test('parseSelect: without =, with an empty name or an empty selector it is refused', () => {
  for (const bad of ['title', '=title', 'name=', 'name=  ', '  =h1', '']) {
    refuses(() => parseSelect(bad, '--select'), `--select must look like "name=css" or "name=css@attr", got "${bad}"`);
  }
});

test('parseResolve: host:port:address like curl, host lower-cased, an IPv6 address in brackets', () => {
  assert.deepEqual(parseResolve('a.test:443:127.0.0.1', '--resolve'), { host: 'a.test', port: 443, address: '127.0.0.1' });
  assert.deepEqual(parseResolve('A.Test:8080:127.0.0.2', '--resolve'), { host: 'a.test', port: 8080, address: '127.0.0.2' });
  assert.deepEqual(parseResolve('v6.test:80:[::1]', '--resolve'), { host: 'v6.test', port: 80, address: '::1' });
  assert.deepEqual(parseResolve('v6.test:80:[2001:db8::1]', '--resolve'), { host: 'v6.test', port: 80, address: '2001:db8::1' });
  assert.deepEqual(parseResolve('edge.test:1:10.0.0.1', '--resolve'), { host: 'edge.test', port: 1, address: '10.0.0.1' });
  assert.deepEqual(parseResolve('edge.test:65535:10.0.0.1', '--resolve'), { host: 'edge.test', port: 65535, address: '10.0.0.1' });
  assert.deepEqual(parseResolve(' s.test:80:127.0.0.1 ', '--resolve'), { host: 's.test', port: 80, address: '127.0.0.1' });
});

test('parseResolve: a missing part, a port out of range or an unbracketed IPv6 address is refused', () => {
  for (const bad of ['a.test:80', 'a.test:80:', ':80:127.0.0.1', 'a.test::127.0.0.1', 'a.test:0:127.0.0.1', 'a.test:65536:127.0.0.1', 'a.test:123456:127.0.0.1', 'a.test:http:127.0.0.1', 'a.test:80:::1', 'a.test:80:[::1', 'a test:80:127.0.0.1', '']) {
    refuses(() => parseResolve(bad, '--resolve'), `--resolve must look like "host:port:address", got "${bad}"`);
  }
});

test('parseProxy: a proxy URL like curl\'s, no scheme meaning http://; serialized by the URL parser', () => {
  assert.equal(parseProxy('proxy.test:3128', undefined, '--proxy'), 'http://proxy.test:3128/');
  assert.equal(parseProxy(' proxy.test:3128 ', undefined, '--proxy'), 'http://proxy.test:3128/');
  assert.equal(parseProxy('HTTP://P.Test:8080', undefined, '--proxy'), 'http://p.test:8080/');
  assert.equal(parseProxy('https://user:pw@p.test', undefined, '--proxy'), 'https://user:pw@p.test/');
  assert.equal(parseProxy('http://[::1]:3128', undefined, '--proxy'), 'http://[::1]:3128/');
  assert.equal(parseProxy('socks5://127.0.0.1:1080', undefined, '--proxy'), 'socks5://127.0.0.1:1080');
  assert.equal(parseProxy('socks5h://127.0.0.1:1080', undefined, '--proxy'), 'socks5h://127.0.0.1:1080');
});

test('parseProxy: another scheme, a URL that does not parse, or no host is refused', () => {
  refuses(() => parseProxy('ftp://p.test', undefined, '--proxy'), '--proxy: unsupported proxy scheme "ftp"; use http, https, socks5 or socks5h');
  refuses(() => parseProxy('socks4://p.test:1080', undefined, '--proxy'), '--proxy: unsupported proxy scheme "socks4"; use http, https, socks5 or socks5h');
  for (const bad of ['http://', 'http://p.test:99999', 'socks5://a b']) {
    refuses(() => parseProxy(bad, undefined, '--proxy'), `--proxy must be a proxy URL like http://host:port or socks5h://host:port, got "${bad}"`);
  }
  refuses(() => parseProxy('socks5://', undefined, '--proxy'), '--proxy must name the proxy host, got "socks5://"');
});

test('checkOptions: --key needs --cert', () => {
  const o = parseOptions([]);
  refuses(() => checkOptions({ ...o, key: 'client.key' }), '--key needs --cert: it is the key of a client certificate');
  assert.doesNotThrow(() => checkOptions({ ...o, key: 'client.key', cert: 'client.pem' }));
  assert.doesNotThrow(() => checkOptions({ ...o, cert: 'both.pem' }), '--cert alone: the key may be in its file');
});

test('checkOptions: --resume needs -o', () => {
  const o = parseOptions([]);
  refuses(() => checkOptions({ ...o, resume: true }), '--resume needs -o FILE: it reads the records already there');
  assert.doesNotThrow(() => checkOptions({ ...o, resume: true, output: 'out.ndjson' }));
  assert.doesNotThrow(() => checkOptions(o));
});

test('FLAGS: a flag taking a value has a parser, a switch has none and defaults to false; long and short names are unique', () => {
  const longs = new Set<string>();
  const shorts = new Set<string>();
  for (const key of Object.keys(FLAGS) as FlagKey[]) {
    const f = FLAGS[key];
    const takesValue = /<[^>]+>/.test(f.flags);
    assert.equal(typeof f.parse === 'function', takesValue, `${key}: ${f.flags}`);
    if (!takesValue) assert.equal(f.default, false, `${key}: a switch is off by default`);
    const long = /--[a-z][a-z-]*/.exec(f.flags)?.[0];
    assert.ok(long, `${key} has a long flag`);
    assert.ok(!longs.has(long), `${long} declared once`);
    longs.add(long);
    const short = /^-[a-zA-Z],/.exec(f.flags)?.[0];
    if (short) {
      assert.ok(!shorts.has(short), `${short} declared once`);
      shorts.add(short);
    }
    assert.ok(f.help.length > 0, `${key} has help text`);
  }
});

test('FLAGS: each default passes its own parser where it is a plain value', () => {
  // A default --help shows must be one the flag would accept if typed.
  for (const key of Object.keys(FLAGS) as FlagKey[]) {
    const f = FLAGS[key] as { default: unknown; defaultHelp?: string; parse?: (v: string, p: unknown, n: string) => unknown };
    if (!f.parse || f.defaultHelp !== undefined || (typeof f.default !== 'number' && typeof f.default !== 'string')) continue;
    assert.equal(f.parse(String(f.default), f.default, `--${key}`), f.default, key);
  }
});

test('parseOptions: no arguments give every default and stdin', () => {
  const o = parseOptions([]);
  assert.deepEqual(o.inputs, []);
  for (const key of Object.keys(FLAGS) as FlagKey[]) assert.deepEqual(o[key], FLAGS[key].default, key);
  assert.equal(o.limit, 16);
  assert.equal(o.perHost, 4);
  assert.equal(o.timeout, 30_000);
  assert.equal(o.maxRedirects, 10);
  assert.equal(o.retries, 2);
  assert.equal(o.rate, 0);
  assert.equal(o.maxBytes, 5 * 1024 * 1024);
  assert.equal(o.logLevel, 'warn');
  assert.equal(o.progress, 'auto');
  assert.match(o.userAgent, /^crawl\/\d+\.\d+\.\d+/);
});

test('parseOptions: values through the table, short and long forms, repeatables in order, inputs kept', () => {
  const argv = [
    'a.txt', '-', '-l', '64', '--per-host=8', '-t', '5000', '--max-redirects', '0', '-r', '0', '--rate', '2.5',
    '--max-bytes', '1024', '-H', 'A: 1', '--header', 'B: 2', '-A', 'bot/1', '-b', 'k=v', '-c', 'jar.txt',
    '--select', 't=title', '--select', 'i=img@src', '--links', '-o', 'out.ndjson', '--resume',
    '--resolve', 'a.test:80:127.0.0.1', '--log-level', 'debug', '--log-file', 'log.json', '--fail', '--progress', 'never',
  ];
  const o = parseOptions(argv);
  const given: Partial<Options> = {
    inputs: ['a.txt', '-'],
    limit: 64,
    perHost: 8,
    timeout: 5000,
    maxRedirects: 0,
    retries: 0,
    rate: 2.5,
    maxBytes: 1024,
    headers: [['A', '1'], ['B', '2']],
    userAgent: 'bot/1',
    cookie: 'k=v',
    cookieJar: 'jar.txt',
    select: [{ name: 't', css: 'title' }, { name: 'i', css: 'img', attr: 'src' }],
    links: true,
    output: 'out.ndjson',
    resume: true,
    resolve: [{ host: 'a.test', port: 80, address: '127.0.0.1' }],
    logLevel: 'debug',
    logFile: 'log.json',
    fail: true,
    progress: 'never',
  };
  // Flags not given here (and ones added later) keep their defaults.
  assert.deepEqual(o, { ...parseOptions([]), ...given });
});

test('parseOptions: repeated runs do not share repeatable values (the table defaults stay empty)', () => {
  parseOptions(['-H', 'A: 1', '--select', 't=title', '--resolve', 'a.test:80:127.0.0.1']);
  const o = parseOptions([]);
  assert.deepEqual(o.headers, []);
  assert.deepEqual(o.select, []);
  assert.deepEqual(o.resolve, []);
  assert.deepEqual(FLAGS.headers.default, []);
  assert.deepEqual(FLAGS.select.default, []);
  assert.deepEqual(FLAGS.resolve.default, []);
});

test('parseOptions: a later single-value flag replaces an earlier one', () => {
  const o = parseOptions(['-l', '2', '--limit', '3', '-o', 'a', '-o', 'b']);
  assert.equal(o.limit, 3);
  assert.equal(o.output, 'b');
});

test('parseOptions: the rules between flags apply (--resume without -o is a UsageError)', () => {
  refuses(() => parseOptions(['--resume']), '--resume needs -o FILE: it reads the records already there');
});
