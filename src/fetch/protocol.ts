// Responses that are not HTTP as undici reads it, turned into EPROTO with the reason (never retried:
// the server would send the same bytes again), and the header-size bound the session sets.
import { FetchError } from './errors.js';

/** Most bytes of response headers undici takes (curl takes 300 KB; Node's default is 16 KiB). */
export const MAX_HEADER_BYTES = 256 * 1024;

function field(err: unknown, name: 'code' | 'message' | 'name'): unknown {
  return err !== null && typeof err === 'object' ? (err as Record<string, unknown>)[name] : undefined;
}

/**
 * An EPROTO FetchError for undici errors that mean the response broke HTTP/1.1 before its headers
 * were read (`headersCame` false), or that its headers were too large; undefined for anything else.
 * llhttp's parser errors (undici's HTTPParserError) are EPROTO wherever they happen, mid-body included.
 */
export function protocolError(err: unknown, headersCame: boolean): FetchError | undefined {
  const code = field(err, 'code');
  if (field(err, 'name') === 'HTTPParserError') {
    // "Response does not match the HTTP/1.1 protocol (Invalid status code)"
    const m = /\((.+)\)\s*$/.exec(String(field(err, 'message')));
    return new FetchError('EPROTO', `not valid HTTP/1.1: ${m ? m[1]!.toLowerCase() : 'unreadable response'}`);
  }
  if (code === 'UND_ERR_HEADERS_OVERFLOW') return new FetchError('EPROTO', `response headers over ${MAX_HEADER_BYTES / 1024} KiB`);
  if (headersCame) return undefined;
  // undici reports a parser error met after a Content-Length header as a length mismatch.
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return new FetchError('EPROTO', 'invalid or conflicting Content-Length (undici refuses a repeated value such as "21, 21")');
  if (code === 'UND_ERR_SOCKET' && field(err, 'message') === 'bad response') {
    return new FetchError('EPROTO', 'a response nobody asked for, such as an unsolicited 100 Continue (undici refuses it)');
  }
  return undefined;
}

/** A 204 or 304 whose Content-Length promised bytes it must not have: undici calls that a mismatch; curl takes it as empty. */
export function emptyStatusMismatch(status: number, err: unknown, bytes: number): boolean {
  return (status === 204 || status === 304) && bytes === 0 && field(err, 'code') === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH';
}
