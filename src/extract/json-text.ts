// JSON text known when a value is made. linkbytes.ts writes a page's links into one buffer already
// quoted and comma-separated, so the text `["a","b",…]` exists before any record does: the sink
// copies it instead of serializing hundreds of strings (and, with a non-ASCII title, re-encoding
// them from a two-byte JSON string). Only for lists whose text is exactly JSON.stringify(list).
const texts = new WeakMap<readonly string[], string>();

/** Records that JSON.stringify(list) === text; returns the list, which must not change afterwards. */
export function withJsonText(list: string[], text: string): string[] {
  texts.set(list, text);
  return list;
}

/** JSON.stringify(list), when it was recorded with the list. */
export function jsonTextOf(list: readonly string[]): string | undefined {
  return texts.get(list);
}
