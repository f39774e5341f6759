// The one kind of error that is the user's: a bad flag value, an unreadable input or cookie file, an
// invalid selector, an output that cannot be written. Its message is ready for stderr as it is (one
// line, no "Error:" prefix, no stack) and the run exits 2. Anything else that escapes is a bug.

export class UserError extends Error {
  override readonly name = 'UserError';
}
