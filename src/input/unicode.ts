// Input lists in UTF-16 (what PowerShell's `>` and Out-File write): a UTF-16 LE or BE byte order mark
// at the start switches the input to that encoding; anything else passes through as bytes, which
// readline reads as UTF-8.
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';

/** `stream` as readline should see it: decoded text for a UTF-16 input, the bytes as they are otherwise. */
export function decodeInput(stream: Readable): Readable {
  let head: Buffer | undefined = Buffer.alloc(0);
  let decoder: TextDecoder | undefined;
  const out = new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer | string, _enc: BufferEncoding, done: TransformCallback): void {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (head !== undefined) {
        head = Buffer.concat([head, bytes]);
        if (head.length < 2) return done();
        const bom = head[0]! << 8 | head[1]!;
        if (bom === 0xfffe) decoder = new TextDecoder('utf-16le');
        else if (bom === 0xfeff) decoder = new TextDecoder('utf-16be');
        const first = head;
        head = undefined;
        return done(null, decoder ? decoder.decode(first, { stream: true }) : first);
      }
      done(null, decoder ? decoder.decode(bytes, { stream: true }) : bytes);
    },
    flush(done: TransformCallback): void {
      if (head !== undefined && head.length > 0) return done(null, head);
      done(null, decoder ? decoder.decode() : undefined);
    },
  });
  stream.on('error', (err) => out.destroy(err));
  return stream.pipe(out);
}
