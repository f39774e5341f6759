// The NDJSON record: one per input line (repeats of a URL excepted). Field names are a contract.

/** Error codes a record can carry; users' scripts match on these strings. */
export type ErrorCode =
  | 'EINVALIDURL'
  | 'ETIMEDOUT'
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'ENOTFOUND'
  | 'EREDIRECT'
  | 'EHTTP'
  | 'EBODY'
  | 'EUNKNOWN';

export interface RecordError {
  code: ErrorCode;
  message: string;
}

/** Fields present whenever a response arrived. */
export interface ResponseFields {
  finalUrl: string;
  redirects: number;
  contentType: string | null;
  bytes: number;
  title: string | null;
  truncated?: true;
  fields?: Record<string, string | null>;
  links?: string[];
}

interface Base {
  url: string;
  status: number | null;
  attempts?: number;
  ms?: number;
}

export interface OkRecord extends Base, ResponseFields {
  ok: true;
  status: number;
}

export interface FailedRecord extends Base, Partial<ResponseFields> {
  ok: false;
  error: RecordError;
  /** 1-based input line, on EINVALIDURL records. */
  line?: number;
}

export type CrawlRecord = OkRecord | FailedRecord;
