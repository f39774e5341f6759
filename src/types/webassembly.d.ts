// The part of the WebAssembly JS API that src/extract/links-wasm.ts and src/v8/wasm-tier.ts use. Node
// has had it since v8, but @types/node 20 does not declare it (TypeScript's own declarations are in
// lib.dom, which a Node program should not pull in).
declare namespace WebAssembly {
  class Module {
    /** Compiles `bytes` synchronously. */
    constructor(bytes: Uint8Array);
  }
  class Memory {
    private constructor();
    readonly buffer: ArrayBuffer;
    /** Grows by `delta` pages of 64 KiB; returns the old size in pages. */
    grow(delta: number): number;
  }
  class Instance {
    private constructor();
    readonly exports: Exports;
  }
  type ExportValue = ((...args: number[]) => number) | Memory | unknown;
  type Exports = Record<string, ExportValue>;
  function validate(bytes: Uint8Array): boolean;
  function instantiate(module: Module, imports?: Record<string, Record<string, unknown>>): Promise<Instance>;
}
