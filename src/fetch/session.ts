// The shared HTTP session's dispatcher: one undici Agent with --per-host keep-alive connections per
// origin and a connector that applies --resolve and checks certificates; through an http(s) proxy
// (-x, HTTP(S)_PROXY) undici's EnvHttpProxyAgent with our hooks; through SOCKS5 our own connector.
// Names resolve through the crawl's DNS cache (dns.ts). Idle connections over all origins are capped
// at --limit (sockets.ts) and live a few seconds at most, so descriptors stay bounded however many
// hosts a list has; running out of descriptors makes a connection wait, never fail.
import type { LookupFunction } from 'node:net';
import type { Agent as AgentType, buildConnector as BuildConnector, Dispatcher, Pool as PoolType } from 'undici';
import { DnsCache } from './dns.js';
import { OriginPool } from './origin-pool.js';
import { chooseProxy, noProxyMatcher, throughProxy, toProxy, type ProxyChoice } from './proxy.js';
import { SocketBudget } from './sockets.js';
import { socksConnector } from './socks.js';
import { connectorTlsOptions, proxyTlsOptions, TlsLedger, verifyingConnector, type TlsSettings } from './tls.js';
import { Agent, buildConnector, closingIdle, loadEnvHttpProxyAgent, loadParser, Pool } from './undici.js';
import { MAX_HEADER_BYTES } from './protocol.js';

/** `--resolve host:port:address`: connect to `address` for `host:port`, keeping Host and SNI. */
export interface ResolveRule {
  host: string;
  port: number;
  address: string;
}

export interface DispatcherOptions {
  /** --limit: also the most idle keep-alive connections kept over all origins. Default 16. */
  limit?: number;
  perHost: number;
  timeout: number;
  resolve: ResolveRule[];
  env: NodeJS.ProcessEnv;
  /** DNS servers to ask instead of the system's (--dns-servers). */
  dnsServers?: string[];
  /** Replaces the DNS cache's look-ups (tests inject one; no test resolves a real name). */
  lookup?: LookupFunction;
  /** -k, --cacert, --cert/--key; default: verify against Node's roots, no client certificate. */
  tls?: TlsSettings;
  /** Where the connector notes each https origin's TLS version and verification, for the record. */
  ledger?: TlsLedger;
  /** -x: http://, https://, socks5:// or socks5h:// (validated); overrides HTTP(S)_PROXY. */
  proxy?: string;
  /** --noproxy: hosts that skip the proxy; overrides NO_PROXY. */
  noProxy?: string;
}

const VERIFY: TlsSettings = { insecure: false };

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

/** undici's connector with our TLS options (Node's own rejection off: verifyingConnector decides). */
function tlsBase(opts: DispatcherOptions): BuildConnector.connector {
  const tls = opts.tls ?? VERIFY;
  return buildConnector({ timeout: opts.timeout, keepAlive: true, ...(opts.lookup ? { lookup: opts.lookup } : {}), ...connectorTlsOptions(tls) });
}

/** TCP (or TLS) straight to the origin, or to the address --resolve gives; certificates verified by us. */
function directConnector(opts: DispatcherOptions, ledger: TlsLedger): BuildConnector.connector {
  return verifyingConnector(resolvingConnector(tlsBase(opts), opts.resolve), opts.tls ?? VERIFY, ledger);
}

/** Every origin through the SOCKS5 proxy, except --noproxy hosts, which connect directly. */
function socksDispatcherConnector(opts: DispatcherOptions, proxy: string, noProxy: string, ledger: TlsLedger): BuildConnector.connector {
  const direct = directConnector(opts, ledger);
  const resolve = new Map(opts.resolve.map((r) => [`${r.host}:${r.port}`, r.address]));
  const socks = verifyingConnector(
    socksConnector({ proxy: new URL(proxy), timeout: opts.timeout, resolve, ...(opts.lookup ? { lookup: opts.lookup } : {}) }, tlsBase(opts)),
    opts.tls ?? VERIFY,
    ledger,
  );
  const skip = noProxyMatcher(noProxy);
  return (o, callback) => (skip(o.hostname, Number(o.port || (o.protocol === 'https:' ? 443 : 80))) ? direct : socks)(o, callback);
}

function isSocks(uri: string | undefined): uri is string {
  return uri !== undefined && /^socks5h?:/i.test(uri);
}

/** undici's proxy agent, with hooks: EPROXY for the proxy's own failures, our checks on tunnelled TLS. */
function httpProxyDispatcher(opts: DispatcherOptions, choice: ProxyChoice, agentOptions: AgentType.Options, ledger: TlsLedger): Dispatcher {
  const direct = agentOptions.connect as BuildConnector.connector;
  const tls = opts.tls ?? VERIFY;
  const proxies = [choice.http, choice.https].filter((u): u is string => u !== undefined);
  const proxyOrigin = (origin: string): string | undefined => proxies.find((p) => new URL(p).origin === new URL(origin).origin);
  const EnvHttpProxyAgent = loadEnvHttpProxyAgent();
  return new EnvHttpProxyAgent({
    ...agentOptions,
    // Plain http goes to the proxy as absolute-form requests, as curl and browsers send it; undici
    // would otherwise CONNECT-tunnel it, which proxies commonly refuse for ports other than 443.
    proxyTunnel: false,
    httpProxy: choice.http ?? '',
    httpsProxy: choice.https ?? '',
    noProxy: choice.noProxy,
    // The TLS to the origin inside a tunnel: our options (verifyingConnector below decides).
    requestTls: { ...connectorTlsOptions(tls), timeout: opts.timeout },
    ...(proxyTlsOptions(tls) ? { proxyTls: proxyTlsOptions(tls) } : {}),
    // Per-origin pools. Their `connect` is ours for hosts that skip the proxy, undici's CONNECT
    // tunnel for https through it, or (absolute-form http) the connection to the proxy itself.
    factory: (origin: string | URL, o: PoolType.Options) => {
      const connect = o.connect as BuildConnector.connector;
      const proxy = proxyOrigin(String(origin));
      const via = (new URL(String(origin)).protocol === 'https:' ? choice.https : choice.http) ?? proxies[0]!;
      const wrapped = connect === direct ? direct : proxy !== undefined ? toProxy(connect, proxy) : verifyingConnector(throughProxy(connect, via), tls, ledger);
      return new Pool(origin, { ...o, connect: wrapped });
    },
    // The client that sends CONNECT to the proxy.
    clientFactory: (origin: string | URL, o: PoolType.Options) => new Pool(origin, { ...o, connect: toProxy(o.connect as BuildConnector.connector, String(origin)) }),
  } as unknown as ConstructorParameters<ReturnType<typeof loadEnvHttpProxyAgent>>[0]);
}

/** Out of file descriptors (the process's, or the system's). */
function outOfDescriptors(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
}

/** How long a connection waits between tries while descriptors are short. */
const FD_WAIT_MS = 50;

/**
 * Registers every socket `connect` opens with `budget`; when no descriptor is left, closes an idle
 * socket and tries again shortly (back-pressure), for up to `timeout`.
 */
function budgetedConnector(connect: BuildConnector.connector, budget: SocketBudget, timeout: number): BuildConnector.connector {
  return (opts, callback) => {
    const started = performance.now();
    const tryConnect = (): void => {
      connect(opts, (err, socket) => {
        if (err !== null) {
          if (outOfDescriptors(err) && performance.now() - started < timeout) {
            budget.closeIdle();
            setTimeout(tryConnect, FD_WAIT_MS);
            return;
          }
          callback(err, null);
          return;
        }
        budget.opened(socket);
        callback(null, socket);
      });
    };
    tryConnect();
  };
}

/** Longest a connection stays idle, whatever a server's `Keep-Alive: timeout=` asks. */
const IDLE_MS = 4_000;

/** The per-origin dispatcher for origins we connect to ourselves (origin-pool.ts). */
function originPools(perHost: number): (origin: string | URL, o: object) => Dispatcher {
  return (origin, o) => new OriginPool(origin, { ...o, connections: perHost });
}

/** The crawl's HTTP session: the dispatcher, and a way to resolve a host before it is fetched. */
export interface Session {
  dispatcher: Dispatcher;
  /**
   * Starts resolving `url`'s host in the background, when this session would resolve it itself
   * (not through an http(s) or socks5h proxy, a --resolve rule, or an injected look-up).
   */
  prefetch(url: URL): void;
}

export function createDispatcher(given: DispatcherOptions): Dispatcher {
  return createSession(given).dispatcher;
}

export function createSession(given: DispatcherOptions): Session {
  loadParser();
  const budget = new SocketBudget(given.limit ?? 16, closingIdle);
  const dns =
    given.lookup === undefined
      ? new DnsCache({
          servers: given.dnsServers ?? [],
          timeoutMs: Math.min(5_000, Math.ceil(given.timeout / 2)),
          prefetchInFlight: Math.max(64, given.limit ?? 16),
          freeDescriptor: () => budget.closeIdle(),
        })
      : undefined;
  const opts: DispatcherOptions = { ...given, lookup: given.lookup ?? dns!.lookup };
  const ledger = opts.ledger ?? new TlsLedger(1);
  const agentOptions: AgentType.Options = {
    connections: opts.perHost,
    pipelining: 1,
    keepAliveTimeout: IDLE_MS,
    keepAliveMaxTimeout: IDLE_MS,
    // Off: each attempt has one timer for its whole redirect chain and body (fetch.ts), which ends
    // it sooner than these could; undici's would only add a timer and its refreshes per request.
    headersTimeout: 0,
    bodyTimeout: 0,
    maxHeaderSize: MAX_HEADER_BYTES,
    connect: budgetedConnector(directConnector(opts, ledger), budget, opts.timeout),
  };
  const choice = chooseProxy(opts.proxy, opts.noProxy, opts.env);
  const pinned = new Set(opts.resolve.map((r) => `${r.host}:${r.port}`));
  const prefetch = (url: URL): void => {
    if (dns === undefined || (pinned.size > 0 && pinned.has(`${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`))) return;
    dns.prefetch(url.hostname);
  };
  if (!choice) return { dispatcher: new Agent({ ...agentOptions, factory: originPools(opts.perHost) } as AgentType.Options), prefetch };
  if (isSocks(choice.http) || isSocks(choice.https)) {
    // A SOCKS proxy carries both schemes (-x gives one for both; from the environment HTTPS_PROXY's wins).
    const proxy = (isSocks(choice.https) ? choice.https : choice.http) as string;
    const connect = budgetedConnector(socksDispatcherConnector(opts, proxy, choice.noProxy, ledger), budget, opts.timeout);
    const dispatcher = new Agent({ ...agentOptions, connect, factory: originPools(opts.perHost) } as AgentType.Options);
    // socks5 resolves here, socks5h at the proxy (whose DNS may be the only one that knows the name).
    return { dispatcher, prefetch: /^socks5:/i.test(proxy) ? prefetch : () => undefined };
  }
  // Through an http(s) proxy the proxy resolves; a name looked up here could leak or not exist.
  return { dispatcher: httpProxyDispatcher(opts, choice, agentOptions, ledger), prefetch: () => undefined };
}
