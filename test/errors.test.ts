// Error mapping without a server: the record code and one-line message for what undici, net, zlib and
// TextDecoder throw, through cause chains and AggregateErrors; real library errors where cheap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type LookupFunction } from 'node:net';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { Agent, buildConnector, errors as undici, request } from 'undici';
import { errorCode, errorMessage, FetchError } from '../src/fetch/errors.js';
import { retryableError } from '../src/fetch/retry.js';

const coded = (code: unknown, message = `error ${String(code)}`, cause?: unknown): Error => {
  const e = new Error(message, cause === undefined ? undefined : { cause });
  return Object.assign(e, { code });
};

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  assert.fail('expected a throw');
}

test('errorCode: a FetchError carries its own code, also as the cause of a wrapper', () => {
  assert.equal(errorCode(new FetchError('EREDIRECT', 'redirect loop')), 'EREDIRECT');
  assert.equal(errorCode(new FetchError('EBODY', 'x')), 'EBODY');
  assert.equal(errorCode(new Error('wrapped', { cause: new FetchError('ETIMEDOUT', 'x') })), 'ETIMEDOUT');
});

test("errorCode: undici's own error classes", () => {
  assert.equal(errorCode(new undici.ConnectTimeoutError()), 'ETIMEDOUT');
  assert.equal(errorCode(new undici.HeadersTimeoutError()), 'ETIMEDOUT');
  assert.equal(errorCode(new undici.BodyTimeoutError()), 'ETIMEDOUT');
  assert.equal(errorCode(new undici.SocketError('other side closed')), 'ECONNRESET');
  assert.equal(errorCode(new undici.ClientClosedError()), 'ECONNRESET');
  assert.equal(errorCode(new undici.ResponseContentLengthMismatchError()), 'ECONNRESET');
  assert.equal(errorCode(new undici.InvalidArgumentError('bad')), 'EUNKNOWN', 'UND_ERR_INVALID_ARG is not a network failure');
});

test('errorCode: socket and DNS codes from net/dns', () => {
  const cases: [string, string][] = [
    ['ETIMEDOUT', 'ETIMEDOUT'],
    ['ECONNREFUSED', 'ECONNREFUSED'],
    ['EHOSTUNREACH', 'ECONNREFUSED'],
    ['ENETUNREACH', 'ECONNREFUSED'],
    ['EADDRNOTAVAIL', 'ECONNREFUSED'],
    ['ECONNRESET', 'ECONNRESET'],
    ['EPIPE', 'ECONNRESET'],
    ['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET'],
    ['ENOTFOUND', 'ENOTFOUND'],
    ['EAI_AGAIN', 'ENOTFOUND'],
    ['EAI_NONAME', 'ENOTFOUND'],
    ['EAI_FAIL', 'ENOTFOUND'],
  ];
  for (const [code, want] of cases) assert.equal(errorCode(coded(code)), want, code);
});

test('errorCode: any llhttp HPE_* code is a known failure of the response, never retried', () => {
  // EBODY today; the rough-edges issue gives invalid HTTP its own code, so this says only what stays.
  for (const code of ['HPE_INVALID_CONSTANT', 'HPE_INVALID_HEADER_TOKEN', 'HPE_CHUNK_EXTENSIONS_OVERFLOW', 'HPE_UNEXPECTED_CONTENT_LENGTH']) {
    const c = errorCode(coded(code));
    assert.notEqual(c, 'EUNKNOWN', code);
    assert.equal(retryableError(c), false, `${code} → ${c}`);
  }
});

test('errorCode: zlib Z_* and ERR_BROTLI* codes, and what node:zlib really throws for bad gzip and brotli', () => {
  for (const code of ['Z_DATA_ERROR', 'Z_BUF_ERROR', 'Z_NEED_DICT', 'ERR_BROTLI_INVALID_PARAM']) assert.equal(errorCode(coded(code)), 'EBODY', code);
  assert.equal(errorCode(thrown(() => gunzipSync(Buffer.from('not gzip at all')))), 'EBODY', 'Z_DATA_ERROR');
  assert.equal(errorCode(thrown(() => gunzipSync(gzipSync('hello world').subarray(0, 12)))), 'EBODY', 'truncated: Z_BUF_ERROR');
  const br = thrown(() => brotliDecompressSync(Buffer.from('not brotli, not at all')));
  assert.equal(errorCode(br), 'EBODY', `brotli decode error ${String((br as { code?: unknown }).code)}`);
});

test("errorCode: TextDecoder's unknown-label and invalid-data errors are body errors", () => {
  assert.equal(errorCode(thrown(() => new TextDecoder('no-such-charset'))), 'EBODY');
  assert.equal(errorCode(thrown(() => new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from([0xff, 0xfe, 0xfd])))), 'EBODY');
});

test('errorCode: unknown codes, no code, non-string codes and non-objects are EUNKNOWN', () => {
  assert.equal(errorCode(new Error('plain')), 'EUNKNOWN');
  assert.equal(errorCode(new TypeError('x is not a function')), 'EUNKNOWN');
  assert.equal(errorCode(coded('EWHATEVER')), 'EUNKNOWN');
  assert.equal(errorCode(coded('UND_ERR_SOMETHING_NEW')), 'EUNKNOWN');
  assert.equal(errorCode(coded(-111)), 'EUNKNOWN', 'an errno number is not a code');
  assert.equal(errorCode({ code: 'ECONNRESET' }), 'ECONNRESET', 'a plain object with a code counts');
  for (const v of [undefined, null, '', 'ECONNRESET', 42, true]) assert.equal(errorCode(v), 'EUNKNOWN', String(v));
});

test('errorCode: looks through a cause chain to the first known code; a known outer code wins', () => {
  assert.equal(errorCode(new TypeError('fetch failed', { cause: coded('ECONNREFUSED') })), 'ECONNREFUSED');
  assert.equal(errorCode(coded('UND_ERR_UNKNOWN_THING', 'outer', coded('ENOTFOUND'))), 'ENOTFOUND', 'unknown outer code: keep looking');
  assert.equal(errorCode(coded('ETIMEDOUT', 'outer', coded('ECONNRESET'))), 'ETIMEDOUT');
  assert.equal(errorCode(new Error('a', { cause: new Error('b', { cause: coded('EPIPE') }) })), 'ECONNRESET');
});

test('errorCode: the chain is read five deep and no deeper; a cycle ends', () => {
  const chain = (depth: number): unknown => {
    let e: unknown = coded('ECONNRESET');
    for (let i = 0; i < depth; i++) e = new Error(`level ${i}`, { cause: e });
    return e;
  };
  assert.equal(errorCode(chain(0)), 'ECONNRESET');
  assert.equal(errorCode(chain(4)), 'ECONNRESET', 'the code on the fifth error counts');
  assert.equal(errorCode(chain(5)), 'EUNKNOWN', 'the sixth is not read');
  const loop = new Error('loop') as Error & { cause?: unknown };
  loop.cause = loop;
  assert.equal(errorCode(loop), 'EUNKNOWN');
});

test("errorCode: an AggregateError's first error decides, and its own code or cause first", () => {
  assert.equal(errorCode(new AggregateError([coded('ECONNREFUSED'), coded('ETIMEDOUT')], '')), 'ECONNREFUSED');
  assert.equal(errorCode(new AggregateError([new Error('no code'), coded('ETIMEDOUT')], '')), 'EUNKNOWN', 'only errors[0] is read');
  assert.equal(errorCode(new AggregateError([], '')), 'EUNKNOWN');
  assert.equal(errorCode(Object.assign(new AggregateError([coded('ECONNRESET')], ''), { code: 'ETIMEDOUT' })), 'ETIMEDOUT');
  assert.equal(errorCode(new AggregateError([coded('ECONNRESET')], '', { cause: coded('ENOTFOUND') })), 'ENOTFOUND', 'cause before errors');
  assert.equal(errorCode(new Error('fetch failed', { cause: new AggregateError([coded('EHOSTUNREACH')], '') })), 'ECONNREFUSED');
});

test('errorMessage: the message, then each distinct cause message, joined by ": ", three deep', () => {
  assert.equal(errorMessage(new Error('boom')), 'boom');
  assert.equal(errorMessage(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') })), 'fetch failed: connect ECONNREFUSED 127.0.0.1:9');
  assert.equal(errorMessage(new Error('same', { cause: new Error('same') })), 'same');
  assert.equal(errorMessage(new Error('a', { cause: new Error('b', { cause: new Error('a') }) })), 'a: b');
  assert.equal(errorMessage(new Error('a', { cause: new Error('b', { cause: new Error('c', { cause: new Error('d') }) }) })), 'a: b: c');
  assert.equal(errorMessage(new Error('', { cause: new Error('inner') })), 'inner', 'an empty outer message adds nothing');
});

test('errorMessage: non-Error values become their string, and a cycle ends', () => {
  assert.equal(errorMessage('plain string'), 'plain string');
  assert.equal(errorMessage(42), '42');
  const loop = new Error('loop') as Error & { cause?: unknown };
  loop.cause = loop;
  assert.equal(errorMessage(loop), 'loop');
});

test('errorMessage: one line, every run of whitespace one space', () => {
  assert.equal(errorMessage(new Error('line one\n   line two\r\n\tend')), 'line one line two end');
  assert.equal(errorMessage(new Error('outer\ncontinued', { cause: new Error('inner\t\tcause') })), 'outer continued: inner cause');
  assert.doesNotMatch(errorMessage(new Error('a\nb', { cause: new Error('c\u2028d') })), /[\n\r\u2028]/);
});

test('errorMessage: at most 300 characters', () => {
  assert.equal(errorMessage(new Error('x'.repeat(1000))), 'x'.repeat(300));
  const long = errorMessage(new Error('y'.repeat(200), { cause: new Error('z'.repeat(200)) }));
  assert.equal(long.length, 300);
  assert.ok(long.startsWith('y'.repeat(200) + ': z'));
  assert.equal(errorMessage(new Error('short')), 'short', 'a short message is not padded');
});

test('errorMessage: never empty nor blank', () => {
  for (const v of [undefined, null, '', new Error(''), new Error('', { cause: new Error('') }), new Error(' \n\t '), '   ']) {
    assert.equal(errorMessage(v), 'unknown error', JSON.stringify(String(v)));
  }
  assert.equal(errorMessage(new Error('  padded  ')), 'padded');
});

test("errorMessage: an AggregateError without a message of its own (net's happy eyeballs) says what its first error says", () => {
  assert.equal(errorMessage(new AggregateError([new Error('connect ECONNREFUSED ::1:9'), new Error('connect ECONNREFUSED 127.0.0.1:9')], '')), 'connect ECONNREFUSED ::1:9');
  assert.equal(errorMessage(new AggregateError([new Error('first')], 'all failed')), 'all failed: first');
});

test('a refused connect to a dual-stack host through undici: ECONNREFUSED and a message naming the address', async () => {
  // A port that was just free on loopback; the lookup (no DNS) gives ::1 and 127.0.0.1, so net tries both.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const lookup: LookupFunction = (_host, _opts, cb) =>
    cb(null, [
      { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
    ]);
  const agent = new Agent({ connect: buildConnector({ timeout: 5000, lookup }) });
  try {
    const err = await request(`http://dual.test:${port}/`, { dispatcher: agent }).then(
      () => assert.fail('the connect should be refused'),
      (e: unknown) => e,
    );
    assert.equal(errorCode(err), 'ECONNREFUSED');
    const message = errorMessage(err);
    assert.notEqual(message, 'unknown error');
    assert.match(message, new RegExp(`^connect E[A-Z]+ (::1|127\\.0\\.0\\.1):${port}`));
  } finally {
    await agent.close();
  }
});
