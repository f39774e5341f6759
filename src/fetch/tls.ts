// TLS for the session: a connector wrapper that verifies certificates itself (Node's
// rejectUnauthorized is off, so -k can go on and still say why), plain-words messages for
// certificate and handshake failures (never OpenSSL's text, which carries source paths), the
// `tls` field of https records, and the --cacert / --cert / --key material.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { DetailedPeerCertificate, PeerCertificate, SecureContext, TLSSocket } from 'node:tls';
import type { buildConnector as BuildConnector } from 'undici';
import type { TlsInfo } from '../record.js';
import { UserError } from '../user-error.js';

export type TlsCode = 'ECERT' | 'ETLS';

/** A certificate or handshake failure, with its record code and a message in plain words. */
export class TlsError extends Error {
  constructor(readonly code: TlsCode, message: string) {
    super(message);
  }
}

export interface TlsSettings {
  /** -k: use a certificate that fails verification, and say why in the record. */
  insecure: boolean;
  /** The trusted roots when --cacert is given (Node's bundled roots plus the file's). */
  ca?: string[];
  /** --cert / --key: a client certificate (PEM). */
  cert?: string;
  key?: string;
}

// node:tls and node:crypto are loaded only for --cacert: a plain-http crawl never pays for them
// (undici's connector loads node:tls on its first https connection).
const load = createRequire(import.meta.url);

/** Raised for a --cacert/--cert/--key file that cannot be used; the CLI makes it a usage error. */
export class TlsFileError extends UserError {}

const CERT_MESSAGES: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  CERT_REVOKED: 'certificate has been revoked',
  CERT_UNTRUSTED: 'certificate is not trusted',
  CERT_REJECTED: 'certificate was rejected',
  CERT_SIGNATURE_FAILURE: 'certificate signature does not verify',
  CERT_CHAIN_TOO_LONG: 'certificate chain is too long',
  INVALID_CA: 'certificate chain contains a certificate that is not a CA',
  INVALID_PURPOSE: 'certificate is not meant for TLS servers',
  PATH_LENGTH_EXCEEDED: 'certificate chain is longer than its CA allows',
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 'certificate has an invalid start date',
  ERROR_IN_CERT_NOT_AFTER_FIELD: 'certificate has an invalid end date',
};

/** Chain failures as Node raises them when it verifies itself (the proxy's certificate), no socket at hand. */
const CHAIN_MESSAGES: Record<string, string> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate issued by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate chain is incomplete',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate chain is incomplete or issued by an unknown authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate chain is incomplete or issued by an unknown authority',
};

/** Certificates a server sent, leaf first (getPeerCertificate(true) links them; a root links to itself). */
function sentChain(leaf: DetailedPeerCertificate): PeerCertificate[] {
  const out: PeerCertificate[] = [];
  const seen = new Set<string>();
  for (let c: DetailedPeerCertificate | undefined = leaf; c && c.fingerprint256 && !seen.has(c.fingerprint256) && out.length < 10; c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    out.push(c);
  }
  return out;
}

function cn(name: PeerCertificate['issuer'] | undefined): string {
  const v = name?.CN ?? name?.O;
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

/** The names a certificate is for: its subjectAltName DNS and IP entries, else its CN. */
function certNames(cert: PeerCertificate): string[] {
  const names = (cert.subjectaltname ?? '')
    .split(', ')
    .filter((n) => n.startsWith('DNS:') || n.startsWith('IP Address:'))
    .map((n) => n.slice(n.indexOf(':') + 1));
  const fallback = cn(cert.subject);
  return names.length > 0 ? names : fallback ? [fallback] : [];
}

function forOtherNames(cert: PeerCertificate, host: string): string {
  const names = certNames(cert);
  if (names.length === 0) return `certificate names no host, not ${host}`;
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  return `certificate is for ${shown}, not ${host}`;
}

/**
 * Why the certificate on `socket` is not accepted for `host`, in plain words.
 * `reason` is Node's verification code (socket.authorizationError).
 */
export function certProblem(reason: string, socket: TLSSocket, host: string): string {
  const fixed = CERT_MESSAGES[reason];
  if (fixed) return fixed;
  const leaf = socket.getPeerCertificate(true);
  switch (reason) {
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return forOtherNames(leaf, host);
    case 'SELF_SIGNED_CERT_IN_CHAIN': {
      const chain = sentChain(leaf);
      const root = chain[chain.length - 1];
      const name = root ? cn(root.subject) : '';
      return `certificate issued by an unknown authority${name ? ` "${name}"` : ''}`;
    }
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY': {
      const chain = sentChain(leaf);
      const last = chain[chain.length - 1];
      const issuer = last ? cn(last.issuer) : '';
      return `certificate chain is incomplete: its issuer${issuer ? ` "${issuer}"` : ''} was not sent by the server and is not trusted`;
    }
    default:
      return `certificate not accepted (${reason.toLowerCase().replace(/_/g, ' ')})`;
  }
}

/** OpenSSL alert and reason codes Node reports (ERR_SSL_<REASON>), in plain words. */
const HANDSHAKE_MESSAGES: [RegExp, string][] = [
  [/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|RECORD_LAYER_FAILURE/, 'the server did not answer in TLS (plain HTTP on an https port?)'],
  [/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|VERSION_TOO_LOW|VERSION_TOO_HIGH/, 'the server and crawl have no TLS version in common (crawl speaks TLS 1.2 and 1.3)'],
  [/NO_SHARED_CIPHER|NO_CIPHERS_AVAILABLE|NO_SUITABLE|HANDSHAKE_FAILURE|INSUFFICIENT_SECURITY/, 'the server and crawl have no cipher or TLS parameters in common (handshake failure)'],
  [/CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN/, 'the server wants a client certificate it accepts (--cert, --key)'],
  [/DH_KEY_TOO_SMALL|EE_KEY_TOO_SMALL|CA_KEY_TOO_SMALL|CA_MD_TOO_WEAK/, 'the server\'s key or signature is too weak for crawl\'s TLS security level'],
  [/UNRECOGNIZED_NAME/, 'the server does not serve this host name (unrecognized name alert)'],
];

interface Coded {
  code?: unknown;
  reason?: unknown;
}

/** The record code and message for a TLS failure Node raised, or undefined when `err` is not one. */
export function tlsFailure(err: unknown): TlsError | undefined {
  if (err instanceof TlsError) return err;
  if (!err || typeof err !== 'object') return undefined;
  const { code, reason } = err as Coded;
  if (typeof code !== 'string') return undefined;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code in CERT_MESSAGES || code in CHAIN_MESSAGES) {
    return new TlsError('ECERT', CERT_MESSAGES[code] ?? CHAIN_MESSAGES[code] ?? 'certificate is for another host');
  }
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
    for (const [pattern, message] of HANDSHAKE_MESSAGES) if (pattern.test(code) || (typeof reason === 'string' && pattern.test(reason.toUpperCase().replace(/ /g, '_')))) return new TlsError('ETLS', message);
    const words = typeof reason === 'string' && reason ? reason : code.replace(/^ERR_SSL_/, '').toLowerCase().replace(/_/g, ' ');
    return new TlsError('ETLS', `TLS handshake failed: ${words}`);
  }
  return undefined;
}

/** The TLS facts of the latest connection to each https origin, for the record; bounded. */
export class TlsLedger {
  private readonly byOrigin = new Map<string, TlsInfo>();
  private readonly failures = new Map<string, { error: TlsError; at: number }>();
  constructor(private readonly max = 4096) {}

  set(origin: string, info: TlsInfo): void {
    if (!this.byOrigin.delete(origin) && this.byOrigin.size >= this.max) {
      const oldest = this.byOrigin.keys().next();
      if (!oldest.done) this.byOrigin.delete(oldest.value);
    }
    this.byOrigin.set(origin, info);
  }

  /** For an origin as URL.origin spells it (`https://host[:port]`). */
  get(origin: string): TlsInfo | undefined {
    return this.byOrigin.get(origin);
  }

  /**
   * A TLS alert after the handshake (a TLS 1.3 server refusing the client certificate sends it with
   * its first read): undici reports only "other side closed", so the connector notes the real reason.
   */
  fail(origin: string, error: TlsError): void {
    if (this.failures.size >= this.max) this.failures.clear();
    this.failures.set(origin, { error, at: performance.now() });
  }

  /** The alert noted for `origin` in the last few seconds, if any. */
  failure(origin: string): TlsError | undefined {
    const f = this.failures.get(origin);
    return f && performance.now() - f.at < 5_000 ? f.error : undefined;
  }
}

type ConnectOptions = BuildConnector.Options;

/**
 * The roots and client certificate as one SecureContext, made once: given as `ca`/`cert`/`key`, Node
 * would build a context for every connection, and parsing the ~140 bundled roots costs ~27 ms each.
 */
const contexts = new WeakMap<TlsSettings, { origin: SecureContext; proxy: SecureContext | undefined }>();

function contextsOf(s: TlsSettings): { origin: SecureContext; proxy: SecureContext | undefined } | undefined {
  if (!s.ca && !s.cert) return undefined;
  let c = contexts.get(s);
  if (!c) {
    const { createSecureContext } = load('node:tls') as typeof import('node:tls');
    const origin = createSecureContext({ ...(s.ca ? { ca: s.ca } : {}), ...(s.cert ? { cert: s.cert, key: s.key } : {}) });
    c = { origin, proxy: s.ca ? (s.cert ? createSecureContext({ ca: s.ca }) : origin) : undefined };
    contexts.set(s, c);
  }
  return c;
}

/** Options for undici's buildConnector: Node's own verification off (we verify), and the key material. */
export function connectorTlsOptions(s: TlsSettings): Record<string, unknown> {
  const c = contextsOf(s);
  return c ? { rejectUnauthorized: false, secureContext: c.origin } : { rejectUnauthorized: false };
}

/** TLS options for the connection to an https:// proxy: verified by Node (-k is for origins), --cacert trusted. */
export function proxyTlsOptions(s: TlsSettings): Record<string, unknown> | undefined {
  const proxy = contextsOf(s)?.proxy;
  return proxy ? { secureContext: proxy } : undefined;
}

/**
 * Wraps a connector built with connectorTlsOptions(): after each TLS handshake it checks the
 * certificate Node verified (chain, dates, host name); a failure ends the connection with ECERT,
 * or with -k is noted in the ledger and the connection used anyway.
 */
export function verifyingConnector(base: BuildConnector.connector, s: TlsSettings, ledger: TlsLedger): BuildConnector.connector {
  return (opts: ConnectOptions, callback) => {
    if (opts.protocol !== 'https:') return base(opts, callback);
    const host = opts.servername || opts.hostname;
    const origin = `https://${opts.hostname}${opts.port ? `:${opts.port}` : ''}`;
    return base(opts, (err, socket) => {
      if (err || !socket) {
        const tlsErr = err ? tlsFailure(err) : undefined;
        if (tlsErr) return callback(tlsErr, null);
        return err ? callback(err, null) : callback(new Error('no socket'), null);
      }
      const tls = socket as TLSSocket;
      const info: TlsInfo = { version: tls.getProtocol() ?? 'unknown', verified: tls.authorized };
      if (!tls.authorized) {
        const reason = tls.authorizationError;
        const message = certProblem(typeof reason === 'string' ? reason : String((reason as Error | null)?.message ?? 'unknown'), tls, host);
        if (!s.insecure) {
          tls.destroy();
          return callback(new TlsError('ECERT', message), null);
        }
        info.error = message;
      }
      ledger.set(origin, info);
      tls.on('error', (e: unknown) => {
        const failure = tlsFailure(e);
        if (failure) ledger.fail(origin, failure);
      });
      callback(null, socket);
    });
  };
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TlsFileError(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The PEM certificates in a --cacert file; none, or one that does not parse, is an error. */
export function caCertificates(path: string): string[] {
  const certs = readPem(path, '--cacert file').match(PEM_CERT) ?? [];
  if (certs.length === 0) throw new TlsFileError(`--cacert file ${path} holds no PEM certificate`);
  for (const pem of certs) {
    try {
      new (load('node:crypto') as typeof import('node:crypto')).X509Certificate(pem);
    } catch {
      throw new TlsFileError(`--cacert file ${path} holds a certificate that cannot be parsed`);
    }
  }
  return certs;
}

/**
 * The roots to trust with --cacert: Node's bundled ones, NODE_EXTRA_CA_CERTS (Node 20 drops it once
 * `ca` is given), and the file's.
 */
export function trustedRoots(cacert: string, env: NodeJS.ProcessEnv): string[] {
  const extra: string[] = [];
  const extraFile = env.NODE_EXTRA_CA_CERTS;
  if (extraFile) {
    try {
      extra.push(...(readFileSync(extraFile, 'utf8').match(PEM_CERT) ?? []));
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we, by ignoring it.
    }
  }
  return [...(load('node:tls') as typeof import('node:tls')).rootCertificates, ...extra, ...caCertificates(cacert)];
}

/** --cert / --key: PEM text of a client certificate and its key (the key may be in the cert file). */
export function clientCertificate(certPath: string, keyPath: string | undefined): { cert: string; key: string } {
  const cert = readPem(certPath, '--cert file');
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) throw new TlsFileError(`--cert file ${certPath} holds no PEM certificate`);
  const key = keyPath === undefined ? cert : readPem(keyPath, '--key file');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) throw new TlsFileError(`${keyPath === undefined ? `--cert file ${certPath} holds no private key; give --key` : `--key file ${keyPath} holds no PEM private key`}`);
  return { cert, key };
}
