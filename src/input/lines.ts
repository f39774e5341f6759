// Streams the input lines of every input (files, or `-` for stdin) in order, with back-pressure:
// the next chunk is read only when the consumer asks for the next line. BOM and CRLF are handled.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface InputLine {
  /** The input it came from: a path, or `-` for stdin. */
  source: string;
  /** 1-based line number within `source`. */
  line: number;
  /** The line, trimmed. Never empty, never a `#` comment. */
  text: string;
}

/** Raised when an input cannot be opened or read; the CLI turns it into exit 2. */
export class InputError extends Error {}

async function* linesOf(source: string, stream: Readable, signal?: AbortSignal): AsyncGenerator<InputLine> {
  // Aborting `signal` closes the interface, which ends the loop below even while it waits for data.
  const rl = createInterface({ input: stream, crlfDelay: Infinity, ...(signal ? { signal } : {}) });
  let line = 0;
  try {
    for await (const raw of rl) {
      line++;
      let text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      text = text.trim();
      if (text === '' || text.charCodeAt(0) === 35 /* # */) continue;
      yield { source, line, text };
    }
  } catch (err) {
    throw new InputError(`cannot read ${source === '-' ? 'stdin' : source}: ${(err as Error).message}`);
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

/** Every line of every input, in order. Files are opened one after another, when reached. `signal` ends the reading early. */
export async function* readInputs(inputs: string[], stdin: Readable, signal?: AbortSignal): AsyncGenerator<InputLine> {
  const sources = inputs.length === 0 ? ['-'] : inputs;
  for (const source of sources) {
    if (signal?.aborted) return;
    const stream = source === '-' ? stdin : await openInput(source);
    yield* linesOf(source, stream, signal);
  }
}
