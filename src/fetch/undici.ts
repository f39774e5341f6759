// The three undici exports the session needs, loaded from their own modules. undici's index loads
// everything the package offers (fetch, WebSocket, EventSource, mocks, cache stores, and Node's
// bundled undici through its cookie helpers): ~110 ms of start-up on this machine, against ~35 ms
// for these modules, and start-up is wall time on every short crawl. undici has no "exports" map,
// so the paths are reachable; package.json pins undici to one minor (~7.30) so they cannot move
// under an install, and test/undici.test.ts checks each is the very class the index exports.
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export const Pool = require('undici/lib/dispatcher/pool.js') as typeof Undici.Pool;
export const buildConnector = require('undici/lib/core/connect.js') as typeof Undici.buildConnector;

const { kError } = require('undici/lib/core/symbols.js') as { kError: symbol };
const { SocketError } = require('undici/lib/core/errors.js') as { SocketError: new (message: string) => Error };

/** What undici hands its 'disconnect' listeners for a connection we closed because it sat idle. */
const CLOSED_IDLE = new SocketError('closed: idle connection over the limit');

/**
 * Tells undici why `socket` is about to be closed, before it is: undici would otherwise build a
 * SocketError (stack trace, eight socket properties, two of them system calls) for every connection
 * it sees close without a reason, which is every connection on a list of a new host per line. Only
 * for idle connections: no request is failed with this error, it reaches 'disconnect' listeners only.
 */
export function closingIdle(socket: object): void {
  (socket as Record<symbol, unknown>)[kError] = CLOSED_IDLE;
}

/**
 * Reads undici's HTTP parser (llhttp, compiled to WebAssembly, both builds) into the module cache.
 * undici loads it from disk on its first connection; a crawl already out of descriptors by then
 * could not open the file, and every connection would fail with EMFILE. Loaded at start, undici's
 * own require finds it cached and opens nothing.
 */
export function loadParser(): void {
  require('undici/lib/llhttp/llhttp_simd-wasm.js');
  require('undici/lib/llhttp/llhttp-wasm.js');
}

/**
 * EnvHttpProxyAgent, only when a proxy is set. It comes through undici's index, which also installs
 * the dispatcher API (`connect()` among it) that the proxy agent uses to tunnel https.
 */
export function loadEnvHttpProxyAgent(): typeof Undici.EnvHttpProxyAgent {
  return (require('undici') as typeof Undici).EnvHttpProxyAgent;
}
