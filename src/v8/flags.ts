// Whether the user started node with a V8 flag of some family, on node's command line or in
// NODE_OPTIONS: crawl's own run-time V8 settings (heap.ts, wasm-tier.ts) step aside for them.

/** True when an argument of `execArgv` or a word of `nodeOptions` matches `flag`. */
export function userGaveFlag(flag: RegExp, execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((a) => flag.test(a));
}
