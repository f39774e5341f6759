// The ASCII bytes the title and link scans look for in raw HTML.
export const LT = 0x3c; // <
export const GT = 0x3e; // >
export const SLASH = 0x2f; // /
export const BANG = 0x21; // !
export const DASH = 0x2d; // -
export const QMARK = 0x3f; // ?
export const EQ = 0x3d; // =
export const DQUOTE = 0x22; // "
export const SQUOTE = 0x27; // '
export const LBRACKET = 0x5b; // [
