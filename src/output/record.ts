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
  contentType: string | null;
  bytes: number;
  title: string | null;
  truncated?: true;
  fields?: Record<string, string | null>;
  links?: string[];
}

/** The first five fields are on every record. */
interface Base {
  url: string;
  status: number | null;
  /** Where the fetch ended: the final response's URL, or the hop that failed; null if never fetched. */
  finalUrl: string | null;
  /** Redirect hops followed. */
  redirects: number;
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
}

export type CrawlRecord = OkRecord | FailedRecord;
