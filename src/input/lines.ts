// Streams the input lines of every input (files, or `-` for stdin) in order, with back-pressure:
// reading pauses while a batch of lines waits for the consumer. BOM and CRLF are handled; an input
// that starts with a UTF-16 BOM is read as UTF-16.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { UserError } from '../user-error.js';
import { decodeInput } from './unicode.js';

export interface InputLine {
  /** The input it came from: a path, or `-` for stdin. */
  source: string;
  /** 1-based line number within `source`. */
  line: number;
  /** The line, trimmed. Never empty, never a `#` comment. */
  text: string;
}

/** Raised when an input cannot be opened or read; the CLI turns it into exit 2. */
export class InputError extends UserError {}

/** Lines gathered before the reader pauses; a batch can exceed it by what one read chunk holds. */
const BATCH = 512;

/**
 * The lines of one input in batches. Handing lines over a batch at a time (not one promise per line
 * through stacked async iterators) keeps reading cheap; the stream is paused while a batch waits,
 * so what is buffered stays bounded.
 */
async function* batchesOf(source: string, stream: Readable, signal?: AbortSignal): AsyncGenerator<InputLine[]> {
  // Aborting `signal` closes the interface, which ends the loop below even while it waits for data.
  const rl = createInterface({ input: stream, crlfDelay: Infinity, ...(signal ? { signal } : {}) });
  let batch: InputLine[] = [];
  let line = 0;
  let closed = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  rl.on('line', (raw: string) => {
    line++;
    let text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    text = text.trim();
    if (text === '' || text.charCodeAt(0) === 35 /* # */) return;
    batch.push({ source, line, text });
    if (batch.length >= BATCH) rl.pause();
    // Wake a waiting consumer; it runs after this chunk's lines, so it still takes them as one batch,
    // and a line typed into an open pipe is handed over at once.
    poke();
  });
  rl.on('close', () => {
    closed = true;
    poke();
  });
  stream.on('error', (err: Error) => {
    failure = err;
    poke();
  });
  try {
    for (;;) {
      if (batch.length > 0) {
        const ready = batch;
        batch = [];
        yield ready;
        rl.resume();
        continue;
      }
      if (failure) throw new InputError(`cannot read ${source === '-' ? 'stdin' : source}: ${failure.message}`);
      if (closed) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    rl.close();
  }
}

/** Opens a file and waits until it is readable, so a missing file fails before the crawl starts. */
export function openInput(path: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
    stream.once('ready', () => resolve(stream));
    stream.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.message;
      reject(new InputError(`cannot read ${path}: ${why}`));
    });
  });
}

/** Every line of every input, in order, in batches. Files are opened one after another, when reached. `signal` ends the reading early. */
export async function* readInputs(inputs: string[], stdin: Readable, signal?: AbortSignal): AsyncGenerator<InputLine[]> {
  const sources = inputs.length === 0 ? ['-'] : inputs;
  for (const source of sources) {
    if (signal?.aborted) return;
    const stream = source === '-' ? stdin : await openInput(source);
    yield* batchesOf(source, decodeInput(stream), signal);
  }
}
