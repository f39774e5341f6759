// Keeps secrets out of everything written for people to read (log lines, error messages, stderr):
// the password in `scheme://user:password@host`, and the values of Authorization,
// Proxy-Authorization, Cookie and Set-Cookie headers, whether the text is a pino JSON line
// (`"cookie":"…"`, `"set-cookie":["…"]`) or plain words (`Cookie: …`). Records on stdout are the
// user's data and keep their URLs; only their error messages pass through here.

export const REDACTED = '[redacted]';

/** `scheme://user:secret@` → `scheme://user:[redacted]@`; the user name stays, it says which account. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:"'\\]*):[^\s/?#@"'\\]*@/gi;

const SECRET_HEADER = '(?:proxy-)?authorization|(?:set-)?cookie';

/** `"authorization":"…"` in JSON, one string value. */
const JSON_STRING = new RegExp(`("(?:${SECRET_HEADER})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
/** `"set-cookie":["…","…"]` in JSON, an array of strings. */
const JSON_ARRAY = new RegExp(`("(?:${SECRET_HEADER})"\\s*:\\s*)\\[(?:\\s*"(?:[^"\\\\]|\\\\.)*"\\s*,?)*\\s*\\]`, 'gi');
/** `Authorization: Basic …` in words, up to the end of the line or of an enclosing JSON string. */
const TEXT_HEADER = new RegExp(`(\\b(?:${SECRET_HEADER}):[ \\t]*)(?!\\[redacted\\])(?:[^\\n"\\\\]|\\\\[^"])+`, 'gi');

/** A cheap first look: most lines hold neither a URL with `@` nor a secret header's name. */
const MAYBE = /@|authorization|cookie/i;

/** `text` with URL passwords and secret header values replaced by [redacted]. */
export function redact(text: string): string {
  if (!MAYBE.test(text)) return text;
  return text
    .replace(URL_PASSWORD, `$1:${REDACTED}@`)
    .replace(JSON_ARRAY, `$1["${REDACTED}"]`)
    .replace(JSON_STRING, `$1"${REDACTED}"`)
    .replace(TEXT_HEADER, `$1${REDACTED}`);
}
