// What Ink draws on. A TTY is used as is; any other stream gets a fixed-width stand-in, because
// Ink asks the OS for the terminal size (spawning tput) whenever `columns` is missing.
import { EventEmitter } from 'node:events';

export const DEFAULT_COLUMNS = 80;

class FixedWidthStream extends EventEmitter {
  readonly isTTY = false;
  readonly columns: number;

  constructor(private readonly target: NodeJS.WriteStream) {
    super();
    this.columns = target.columns || DEFAULT_COLUMNS;
  }

  write(chunk: string, callback?: (error?: Error | null) => void): boolean {
    return this.target.write(chunk, callback);
  }

  get writable(): boolean {
    return this.target.writable;
  }

  get destroyed(): boolean {
    return this.target.destroyed;
  }

  get writableEnded(): boolean {
    return this.target.writableEnded;
  }

  get writableLength(): number {
    return this.target.writableLength;
  }
}

export function inkStream(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  if (stream.isTTY) return stream;
  // Ink only uses the members FixedWidthStream has; the cast names the type Ink's options want.
  return new FixedWidthStream(stream) as unknown as NodeJS.WriteStream;
}
