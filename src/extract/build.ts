// Turns a fetch outcome into the record: response fields, the title (HTML only), --select/--links.
// Field order is fixed here, so every record reads the same; undefined fields are never set.
import type { FetchOutcome } from '../fetch/fetch.js';
import { errorMessage } from '../fetch/errors.js';
import type { CrawlRecord, RecordError, TlsInfo } from '../record.js';
import { redact } from '../redact.js';
import { detectDecoder } from './charset.js';
import { decoderFor } from './decode.js';
import type { DomExtractor, DomResult } from './dom.js';
import { extractTitle, isHtml } from './title.js';

export function buildRecord(url: string, outcome: FetchOutcome, dom: DomExtractor | null, ms: number): CrawlRecord {
  if (outcome.kind === 'error') {
    const r = outcome.response;
    const error: RecordError = { code: outcome.code, message: redact(outcome.message) };
    if (!r) {
      const ip = outcome.ip === undefined ? {} : { ip: outcome.ip };
      return { url, ok: false, status: null, finalUrl: outcome.at.finalUrl, redirects: outcome.at.redirects, ...ip, attempts: outcome.attempts, ms, error };
    }
    const tls = r.tls ? { tls: r.tls } : {};
    return { url, ok: false, status: r.status, finalUrl: r.finalUrl, redirects: r.redirects, ...ipOf(r), contentType: r.contentType, bytes: r.bytes, title: null, ...tls, attempts: outcome.attempts, ms, error };
  }
  const r = outcome.response;
  let title: string | null = null;
  let extracted: DomResult | undefined;
  let bodyError: RecordError | undefined;
  try {
    if (isHtml(r.contentType, r.body)) {
      const decoder = detectDecoder(r.body, r.contentType);
      title = extractTitle(r.body, decoder);
      if (dom) extracted = dom(r.body, decoder, r.finalUrl);
    }
  } catch (err) {
    bodyError = { code: 'EBODY', message: redact(errorMessage(err)) };
  }
  const base = { status: r.status, finalUrl: r.finalUrl, redirects: r.redirects, ...ipOf(r), contentType: r.contentType, bytes: r.bytes, title };
  const rest: { truncated?: true; fields?: Record<string, string | null>; links?: string[]; tls?: TlsInfo } = {};
  if (r.truncated) rest.truncated = true;
  if (dom) {
    const e = extracted ?? emptyDom(dom);
    if (e.fields) rest.fields = e.fields;
    if (e.links) rest.links = e.links;
  }
  if (r.tls) rest.tls = r.tls;
  const ok = r.status >= 200 && r.status < 300 && !bodyError;
  if (ok) return { url, ok, ...base, ...rest, attempts: outcome.attempts, ms };
  const error = bodyError ?? { code: 'EHTTP' as const, message: `HTTP ${r.status}` };
  return { url, ok: false, ...base, ...rest, attempts: outcome.attempts, ms, error };
}

const NO_IP = {};

/** `{ip}` when the response says which address it came from, else nothing (the key is left out). */
function ipOf(r: { ip?: string }): { ip?: string } {
  return r.ip === undefined ? NO_IP : { ip: r.ip };
}

/** The same keys for a non-HTML page as for an HTML one, so jq filters need no special case. */
function emptyDom(dom: DomExtractor): DomResult {
  return dom(EMPTY, UTF8, 'http://invalid/');
}

const EMPTY = Buffer.alloc(0);
const UTF8 = decoderFor('utf-8')!;
