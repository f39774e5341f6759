// Maps whatever a fetch throws (undici, net, zlib, TextDecoder) to the record's error codes, in one place.
import type { ErrorCode } from '../record.js';
import { tlsFailure } from './tls.js';

const BY_CODE: Record<string, ErrorCode> = {
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
  ETIMEDOUT: 'ETIMEDOUT',
  ECONNREFUSED: 'ECONNREFUSED',
  EHOSTUNREACH: 'ECONNREFUSED',
  ENETUNREACH: 'ECONNREFUSED',
  EADDRNOTAVAIL: 'ECONNREFUSED',
  ECONNRESET: 'ECONNRESET',
  EPIPE: 'ECONNRESET',
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CLOSED: 'ECONNRESET',
  ERR_STREAM_PREMATURE_CLOSE: 'ECONNRESET',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'ECONNRESET',
  ENOTFOUND: 'ENOTFOUND',
  EAI_AGAIN: 'ENOTFOUND',
  EAI_NONAME: 'ENOTFOUND',
  EAI_FAIL: 'ENOTFOUND',
  // dns.ts: the DNS server failed (SERVFAIL, REFUSED); the record says the name did not resolve,
  // and transientError() has the attempt retried.
  ESERVFAIL: 'ENOTFOUND',
  ERR_ENCODING_NOT_SUPPORTED: 'EBODY',
  ERR_ENCODING_INVALID_ENCODED_DATA: 'EBODY',
};

/** An error we raise ourselves with a record code already decided. */
export class FetchError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}

interface Coded {
  code?: unknown;
  cause?: unknown;
  message?: unknown;
  errors?: unknown;
}

/** The record code for `err`, looking through `cause` chains and AggregateErrors. */
export function errorCode(err: unknown): ErrorCode {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (e instanceof FetchError) return e.code;
    const tls = tlsFailure(e);
    if (tls) return tls.code;
    if (proxyAuthWanted(e)) return 'EPROXY';
    const { code, cause, errors } = e as Coded;
    if (typeof code === 'string') {
      if (code in BY_CODE) return BY_CODE[code]!;
      if (code.startsWith('HPE_')) return 'EPROTO'; // llhttp: the response is not valid HTTP/1.1
      // Node names a brotli decode failure ERR_ + the decoder's error name: ERR__ERROR_FORMAT_PADDING_1.
      if (code.startsWith('ERR_BROTLI') || code.startsWith('ERR__ERROR_') || code.startsWith('Z_')) return 'EBODY';
    }
    e = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return 'EUNKNOWN';
}

/** Whether `err` is a failure worth retrying that its record code alone does not say (a DNS server failure). */
export function transientError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, cause, errors } = e as Coded;
    if (code === 'ESERVFAIL') return true;
    e = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return false;
}

/** undici's answer to a 407 on an absolute-form request through an http proxy. */
function proxyAuthWanted(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false; // errorMessage passes whatever was thrown
  const { code, message } = e as Coded;
  return code === 'UND_ERR_INVALID_ARG' && typeof message === 'string' && message.includes('Proxy Authentication Required');
}

/** The plain-words message of a certificate or handshake failure in `err`'s cause chain, if any. */
function tlsMessage(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (e instanceof FetchError) return undefined; // its code is a record code (EPROTO is also an errno)
    const tls = tlsFailure(e);
    if (tls) return tls.message;
    const { cause, errors } = e as Coded;
    e = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
}

/** A one-line message for `err`, without stack; TLS failures in plain words, never OpenSSL's text. */
export function errorMessage(err: unknown): string {
  const tls = tlsMessage(err);
  if (tls) return tls;
  if (proxyAuthWanted(err)) return 'the proxy wants authentication (407; give user:password@ in the proxy URL)';
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 3; depth++) {
    const msg = e instanceof Error ? e.message : String(e);
    if (msg && !parts.includes(msg)) parts.push(msg);
    // As errorCode does: net's AggregateError for a dual-stack connect has an empty message of its own.
    const { cause, errors } = e as Coded;
    e = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return parts.join(': ').replace(/\s+/g, ' ').trim().slice(0, 300) || 'unknown error';
}
