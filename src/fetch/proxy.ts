// Proxies, as curl has them: which proxy a run uses (-x over HTTP(S)_PROXY), which hosts skip it
// (--noproxy over NO_PROXY), and the hooks that make failures of an http(s) proxy EPROXY records and
// keep our certificate checks on https tunnelled through it (undici's ProxyAgent does its own TLS).
import type { buildConnector as BuildConnector } from 'undici';
import { FetchError } from './errors.js';
import { tlsFailure } from './tls.js';

export const PROXY_SCHEMES = ['http:', 'https:', 'socks5:', 'socks5h:'] as const;

/** The proxy a run uses: -x wins; else HTTP(S)_PROXY (either case), which may differ per scheme. */
export interface ProxyChoice {
  http?: string;
  https?: string;
  noProxy: string;
}

export function chooseProxy(flag: string | undefined, noProxyFlag: string | undefined, env: NodeJS.ProcessEnv): ProxyChoice | undefined {
  const noProxy = noProxyFlag ?? env.NO_PROXY ?? env.no_proxy ?? '';
  if (flag) return { http: flag, https: flag, noProxy };
  const http = env.HTTP_PROXY || env.http_proxy || undefined;
  const https = env.HTTPS_PROXY || env.https_proxy || undefined;
  if (!http && !https) return undefined;
  return { ...(http ? { http } : {}), ...(https ? { https } : {}), noProxy };
}

/**
 * A --noproxy / NO_PROXY list, as curl reads it: comma- (or space-) separated hosts, each matching
 * itself and its subdomains (a leading `.` or `*.` is the same), optionally `:port`; `*` alone: all.
 */
export function noProxyMatcher(list: string): (hostname: string, port: number) => boolean {
  const entries = list.split(/[,\s]+/).filter(Boolean).map((e) => {
    const m = /^(.+):(\d+)$/.exec(e);
    return { host: (m ? m[1]! : e).replace(/^\*?\./, '').replace(/^\[|\]$/g, '').toLowerCase(), port: m ? Number(m[2]) : 0 };
  });
  if (entries.some((e) => e.host === '*')) return () => true;
  return (hostname, port) => {
    const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return entries.some((e) => (e.port === 0 || e.port === port) && (h === e.host || h.endsWith(`.${e.host}`)));
  };
}

function proxyName(uri: string): string {
  try {
    const u = new URL(uri);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'the proxy';
  }
}

function reason(err: unknown): string {
  const tls = tlsFailure(err);
  if (tls) return `${tls.code === 'ECERT' ? 'its certificate was not accepted' : 'TLS failed'}: ${tls.message}`;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ECONNREFUSED') return 'connection refused';
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return 'its name does not resolve';
  if (e?.code === 'UND_ERR_CONNECT_TIMEOUT' || e?.code === 'ETIMEDOUT') return 'timed out';
  return e?.code ?? (err instanceof Error ? err.message : String(err));
}

/** The connection to the proxy itself: any failure is EPROXY, saying which proxy. */
export function toProxy(connect: BuildConnector.connector, uri: string): BuildConnector.connector {
  return (opts, callback) =>
    connect(opts, (err, socket) => {
      if (err) return callback(err instanceof FetchError ? err : new FetchError('EPROXY', `cannot connect to the proxy ${proxyName(uri)}: ${reason(err)}`), null);
      callback(null, socket!);
    });
}

/** A CONNECT tunnel through the proxy: a refusal (a status other than 200) is EPROXY. */
export function throughProxy(connect: BuildConnector.connector, uri: string): BuildConnector.connector {
  return (opts, callback) =>
    connect(opts, (err, socket) => {
      if (!err) return callback(null, socket!);
      const status = /Proxy response \((\d{3})\)/.exec(err.message)?.[1];
      if (status === undefined) return callback(err, null);
      const target = `${opts.hostname}:${opts.port || (opts.protocol === 'https:' ? 443 : 80)}`;
      const why = status === '407' ? 'wants authentication (407; give user:password@ in the proxy URL)' : `refused the tunnel to ${target} (HTTP ${status})`;
      callback(new FetchError('EPROXY', `the proxy ${proxyName(uri)} ${why}`), null);
    });
}
