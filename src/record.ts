// The record contract: one NDJSON record per input line (repeats of a URL excepted). Every stage
// imports it and none is imported by it. Field names, error codes and their order are a contract:
// they only ever gain members.

/** Error codes a record can carry; users' scripts match on these strings. */
export const ERROR_CODES = [
  'EINVALIDURL',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EREDIRECT',
  'EHTTP',
  'EBODY',
  'EPROTO',
  'EUNKNOWN',
  'ECERT',
  'ETLS',
  'EPROXY',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The order fields appear in on every record that has them (JSON keeps insertion order, and people
 * read records by eye). A new field is added here, at the place it belongs, and set in that order.
 */
export const FIELD_ORDER = [
  'url', 'ok', 'status', 'finalUrl', 'redirects', 'ip',
  'contentType', 'bytes', 'title', 'truncated', 'fields', 'links', 'tls',
  'attempts', 'ms', 'error', 'line', 'input',
] as const;

export interface RecordError {
  code: ErrorCode;
  message: string;
}

/** The `tls` field of a record whose final response came over https. */
export interface TlsInfo {
  /** The protocol version of the connection: `TLSv1.3`, `TLSv1.2`. */
  version: string;
  /** The certificate was verified (chain, dates, host name); false only with -k. */
  verified: boolean;
  /** With -k, why the certificate would have been refused (the ECERT message). */
  error?: string;
}

/** Fields present whenever a response arrived. */
export interface ResponseFields {
  contentType: string | null;
  bytes: number;
  title: string | null;
  truncated?: true;
  fields?: Record<string, string | null>;
  links?: string[];
  tls?: TlsInfo;
}

/** The first five fields are on every record. */
interface Base {
  url: string;
  status: number | null;
  /** Where the fetch ended: the final response's URL, or the hop that failed; null if never fetched. */
  finalUrl: string | null;
  /** Redirect hops followed. */
  redirects: number;
  /** The remote address connected to for finalUrl's hop; absent when no connection was made. */
  ip?: string;
  attempts?: number;
  ms?: number;
}

export interface OkRecord extends Base, ResponseFields {
  ok: true;
  status: number;
  finalUrl: string;
}

export interface FailedRecord extends Base, Partial<ResponseFields> {
  ok: false;
  error: RecordError;
  /** 1-based input line, on EINVALIDURL records. */
  line?: number;
  /** The input that line is in (a path as given, `-` for stdin), on EINVALIDURL records. */
  input?: string;
}

export type CrawlRecord = OkRecord | FailedRecord;
