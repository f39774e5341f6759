// Keeps WebAssembly on V8's baseline compiler (Liftoff). undici parses HTTP/1.1 with llhttp, compiled
// to WebAssembly, and V8 recompiles it with TurboFan in a background thread soon after it first
// runs: for llhttp's one big parser function that takes ~35 MB of compiler memory at once, which the
// C allocator then keeps. A crawl of one URL peaked at 98 MB with that compile and 63 MB without it;
// 20,000 × 10 KB pages at 111–114 MB against 98–101 MB; the bench's --links scenario 136–157 MB
// against 121–138 MB. What TurboFan would gain did not show: parsing HTTP is ~1.5 % of a crawl's
// CPU, and crawl's own link scan (links.wasm) runs ~5 % slower in Liftoff (README "Performance").
// The flag is set at run time, before the first module is compiled; a user's own Liftoff or
// tier-up flag (command line or NODE_OPTIONS) wins, and then nothing is done. crawl's own module,
// whose loops are the --links path (~40 % slower in Liftoff), is compiled with TurboFan up front
// instead (compileOptimized: ~12 ms, once), which takes little compiler memory: it is small.
import { setFlagsFromString } from 'node:v8';
import { userGaveFlag } from './flags.js';

/** True when node was started with a flag of the user's about WebAssembly tiers. */
export function userTieredWasm(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return userGaveFlag(/^--(?:no[-_])?(?:liftoff(?:[-_]only)?|wasm[-_](?:tier[-_]up|dynamic[-_]tiering|tiering[-_]budget))(?:=|$)/, execArgv, nodeOptions);
}

/** Did keepWasmOnLiftoff() set --liftoff-only? */
let liftoffOnly = false;

/** Compiles WebAssembly with Liftoff only from now on; false (and nothing done) when the user chose. */
export function keepWasmOnLiftoff(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS): boolean {
  if (userTieredWasm(execArgv, nodeOptions)) return false;
  setFlagsFromString('--liftoff-only');
  liftoffOnly = true;
  return true;
}

/**
 * `code` compiled at once, every function with TurboFan, when keepWasmOnLiftoff() is in force (then
 * it is in force again after); else as V8 compiles any module (or as the user's flags say).
 */
export function compileOptimized(code: Uint8Array): WebAssembly.Module {
  if (!liftoffOnly) return new WebAssembly.Module(code);
  // No Liftoff, and no lazy compilation (a function compiled at its first call would get the flags
  // of that moment): V8's defaults, --liftoff and --wasm-lazy-compilation, come back after.
  setFlagsFromString('--no-liftoff-only');
  setFlagsFromString('--no-liftoff');
  setFlagsFromString('--no-wasm-lazy-compilation');
  try {
    return new WebAssembly.Module(code);
  } finally {
    setFlagsFromString('--liftoff');
    setFlagsFromString('--wasm-lazy-compilation');
    setFlagsFromString('--liftoff-only');
  }
}
