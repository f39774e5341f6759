// The shared HTTP session's dispatcher: one undici Agent (or EnvHttpProxyAgent when HTTP(S)_PROXY is
// set) with --per-host keep-alive connections per origin, and a connector that applies --resolve.
import type { LookupFunction } from 'node:net';
import type { buildConnector as BuildConnector, Dispatcher } from 'undici';
import { connectorTlsOptions, TlsLedger, verifyingConnector, type TlsSettings } from './tls.js';
import { Agent, buildConnector, loadEnvHttpProxyAgent } from './undici.js';

/** `--resolve host:port:address`: connect to `address` for `host:port`, keeping Host and SNI. */
export interface ResolveRule {
  host: string;
  port: number;
  address: string;
}

export interface DispatcherOptions {
  perHost: number;
  timeout: number;
  resolve: ResolveRule[];
  env: NodeJS.ProcessEnv;
  /** Replaces DNS look-ups (tests inject one; no test resolves a real name). */
  lookup?: LookupFunction;
  /** -k, --cacert, --cert/--key; default: verify against Node's roots, no client certificate. */
  tls?: TlsSettings;
  /** Where the connector notes each https origin's TLS version and verification, for the record. */
  ledger?: TlsLedger;
}

const VERIFY: TlsSettings = { insecure: false };

function proxyFromEnv(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.HTTP_PROXY || env.http_proxy || env.HTTPS_PROXY || env.https_proxy);
}

/** A connector that sends `host:port` to the address a --resolve rule gives, keeping SNI and Host. */
function resolvingConnector(base: BuildConnector.connector, rules: ResolveRule[]): BuildConnector.connector {
  if (rules.length === 0) return base;
  const byHostPort = new Map(rules.map((r) => [`${r.host}:${r.port}`, r.address]));
  return (opts, callback) => {
    const port = opts.port || (opts.protocol === 'https:' ? '443' : '80');
    const address = byHostPort.get(`${opts.hostname.toLowerCase()}:${port}`);
    if (address === undefined) return base(opts, callback);
    return base({ ...opts, hostname: address, servername: opts.servername ?? opts.hostname }, callback);
  };
}

/** TCP (or TLS) straight to the origin, or to the address --resolve gives; certificates verified by us. */
function directConnector(opts: DispatcherOptions): BuildConnector.connector {
  const tls = opts.tls ?? VERIFY;
  const base = buildConnector({ timeout: opts.timeout, keepAlive: true, ...(opts.lookup ? { lookup: opts.lookup } : {}), ...connectorTlsOptions(tls) });
  return verifyingConnector(resolvingConnector(base, opts.resolve), tls, opts.ledger ?? new TlsLedger(1));
}

export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const agentOptions = {
    connections: opts.perHost,
    pipelining: 1,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
    // Off: each attempt has one timer for its whole redirect chain and body (fetch.ts), which ends
    // it sooner than these could; undici's would only add a timer and its refreshes per request.
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: directConnector(opts),
  };
  if (proxyFromEnv(opts.env)) {
    const EnvHttpProxyAgent = loadEnvHttpProxyAgent();
    return new EnvHttpProxyAgent({
      ...agentOptions,
      // Plain http goes to the proxy as absolute-form requests, as curl and browsers send it; undici
      // would otherwise CONNECT-tunnel it, which proxies commonly refuse for ports other than 443.
      proxyTunnel: false,
      httpProxy: opts.env.HTTP_PROXY ?? opts.env.http_proxy,
      httpsProxy: opts.env.HTTPS_PROXY ?? opts.env.https_proxy,
      noProxy: opts.env.NO_PROXY ?? opts.env.no_proxy,
    });
  }
  return new Agent(agentOptions);
}
