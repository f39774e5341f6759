// Charset detection and the title scan on raw bytes, against what the HTML spec's encoding sniffing
// (BOM, then the transport's charset, then a <meta> prescan of the first 1024 bytes) and
// document.title (ASCII whitespace stripped and collapsed) give. Only behaviour that agrees with the
// spec is asserted here; the known gaps are listed in the closing note of "House in order".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charsetFromBom, charsetFromContentType, charsetFromMeta, detectCharset } from '../src/extract/charset.js';
import { extractTitle, isHtml } from '../src/extract/title.js';

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const utf16be = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16();
/** Exactly `n` bytes of markup that says nothing about charsets (a comment), to place what follows. */
const filler = (n: number): string => `<!--${'x'.repeat(n - 7)}-->`;

test('filler is as long as asked', () => {
  assert.equal(filler(1000).length, 1000);
});

test('charsetFromBom: UTF-8, UTF-16LE and UTF-16BE byte order marks, nothing else', () => {
  assert.equal(charsetFromBom(Buffer.from([0xef, 0xbb, 0xbf, 0x3c])), 'utf-8');
  assert.equal(charsetFromBom(Buffer.from([0xff, 0xfe, 0x3c, 0x00])), 'utf-16le');
  assert.equal(charsetFromBom(Buffer.from([0xfe, 0xff, 0x00, 0x3c])), 'utf-16be');
  assert.equal(charsetFromBom(Buffer.from([0xef, 0xbb, 0xbf])), 'utf-8', 'a BOM alone');
  assert.equal(charsetFromBom(Buffer.from([0xef, 0xbb])), undefined, 'two bytes of the UTF-8 BOM are not one');
  assert.equal(charsetFromBom(Buffer.from([0xff])), undefined);
  assert.equal(charsetFromBom(Buffer.alloc(0)), undefined);
  assert.equal(charsetFromBom(latin1('<html>')), undefined);
  assert.equal(charsetFromBom(Buffer.from([0x3c, 0xef, 0xbb, 0xbf])), undefined, 'only at the start');
});

test('charsetFromContentType: the charset parameter, any case, quoted or not, with or without spaces', () => {
  assert.equal(charsetFromContentType('text/html; charset=utf-8'), 'utf-8');
  assert.equal(charsetFromContentType('text/html;charset=ISO-8859-1'), 'ISO-8859-1');
  assert.equal(charsetFromContentType('text/html; CHARSET=Shift_JIS'), 'Shift_JIS');
  assert.equal(charsetFromContentType('text/html; charset="windows-1251"'), 'windows-1251');
  assert.equal(charsetFromContentType('text/html; q=1; charset=euc-jp; x=y'), 'euc-jp');
  assert.equal(charsetFromContentType('text/html'), undefined);
  assert.equal(charsetFromContentType('text/html; charset='), undefined);
  assert.equal(charsetFromContentType(''), undefined);
  assert.equal(charsetFromContentType(null), undefined);
});

test('charsetFromMeta: <meta charset>, quoted or not, any case', () => {
  assert.equal(charsetFromMeta(latin1('<html><head><meta charset="windows-1252"><title>t</title>')), 'windows-1252');
  assert.equal(charsetFromMeta(latin1("<meta charset='iso-8859-2'>")), 'iso-8859-2');
  assert.equal(charsetFromMeta(latin1('<meta charset=koi8-r>')), 'koi8-r');
  assert.equal(charsetFromMeta(latin1('<meta charset = "utf-8" >')), 'utf-8');
  assert.equal(charsetFromMeta(latin1('<META CHARSET="ISO-8859-1">')), 'ISO-8859-1');
  assert.equal(charsetFromMeta(latin1('<Meta Charset="Shift_JIS">')), 'Shift_JIS');
  assert.equal(charsetFromMeta(latin1('<meta name="viewport" charset="euc-kr" content="width=device-width">')), 'euc-kr', 'among other attributes');
});

test('charsetFromMeta: <meta http-equiv="Content-Type" content="…; charset=…">, either attribute first, any case', () => {
  assert.equal(charsetFromMeta(latin1('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">')), 'iso-8859-15');
  assert.equal(charsetFromMeta(latin1('<meta content="text/html; charset=windows-1250" http-equiv="content-type">')), 'windows-1250');
  assert.equal(charsetFromMeta(latin1('<META HTTP-EQUIV="CONTENT-TYPE" CONTENT="TEXT/HTML; CHARSET=KOI8-U">')), 'KOI8-U');
  assert.equal(charsetFromMeta(latin1('<meta http-equiv="Content-Type" content="text/html;charset=big5">')), 'big5');
});

test('charsetFromMeta: the first of two metas wins; no meta is undefined', () => {
  assert.equal(charsetFromMeta(latin1('<meta charset="windows-1252"><meta charset="koi8-r">')), 'windows-1252');
  assert.equal(charsetFromMeta(latin1('<html><head><title>no meta</title></head><body>charset=koi8-r</body>')), undefined);
  assert.equal(charsetFromMeta(Buffer.alloc(0)), undefined);
});

test('charsetFromMeta: the prescan reads the first 1024 bytes: a meta ending there is found, one starting at byte 1024 is not', () => {
  const meta = '<meta charset="windows-1252">';
  const ending = latin1(filler(1024 - meta.length) + meta);
  assert.equal(ending.length, 1024);
  assert.equal(charsetFromMeta(ending), 'windows-1252');
  const after = latin1(filler(1024) + meta);
  assert.equal(after.indexOf('<meta'), 1024);
  assert.equal(charsetFromMeta(after), undefined);
  assert.equal(charsetFromMeta(latin1(filler(4000) + meta)), undefined, 'well past the first KB');
});

test('detectCharset: a BOM wins over Content-Type and meta; Content-Type over meta; meta over the default', () => {
  const meta = '<meta charset="koi8-r">';
  assert.equal(detectCharset(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), latin1(meta)]), 'text/html; charset=iso-8859-1'), 'utf-8');
  assert.equal(detectCharset(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(meta, 'utf16le')]), 'text/html; charset=utf-8'), 'utf-16le');
  assert.equal(detectCharset(utf16be('\ufeff' + meta), 'text/html; charset=utf-8'), 'utf-16be');
  assert.equal(detectCharset(latin1(meta), 'text/html; charset=iso-8859-1'), 'iso-8859-1');
  assert.equal(detectCharset(latin1(meta), 'text/html'), 'koi8-r');
  assert.equal(detectCharset(latin1(meta), null), 'koi8-r');
  assert.equal(detectCharset(latin1('<title>plain</title>'), 'text/html'), 'utf-8', "crawl's default when nothing says");
});

test('extractTitle: the text of <title>, decoded with the given charset', () => {
  assert.equal(extractTitle(utf8('<html><head><title>Hello</title></head></html>'), 'utf-8'), 'Hello');
  assert.equal(extractTitle(utf8('<title>Grüße — 日本語 🙂</title>'), 'utf-8'), 'Grüße — 日本語 🙂');
  // Bytes 0x80–0x9F are left out: Node 20's TextDecoder reads them as C1 controls (nodejs/node#56542).
  assert.equal(extractTitle(latin1('<title>caf\xe9 \xbd\xa9</title>'), 'windows-1252'), 'café ½©');
  assert.equal(extractTitle(latin1('<title>caf\xe9</title>'), 'iso-8859-1'), 'café');
  // Shift_JIS 日本 is 93 FA 96 7B: multi-byte, decoded from the title's bytes only.
  assert.equal(extractTitle(Buffer.concat([latin1('<title>'), Buffer.from([0x93, 0xfa, 0x96, 0x7b]), latin1('</title>')]), 'shift_jis'), '日本');
  assert.equal(extractTitle(latin1('<title>\xc1\xc2</title>'), 'koi8-r'), 'аб');
});

test('extractTitle: UTF-16 pages (LE and BE, with BOM) are decoded whole and scanned', () => {
  const page = '\ufeff<html><head><TITLE>Sixteen bits</TITLE></head></html>';
  assert.equal(extractTitle(Buffer.from(page, 'utf16le'), 'utf-16le'), 'Sixteen bits');
  assert.equal(extractTitle(utf16be(page), 'utf-16be'), 'Sixteen bits');
  assert.equal(extractTitle(Buffer.from('\ufeff<p>no title</p>', 'utf16le'), 'utf-16le'), null);
});

test('extractTitle: tags in any case, with attributes, a self-closing slash or spaces before >', () => {
  assert.equal(extractTitle(utf8('<HTML><HEAD><TITLE>Upper</TITLE></HEAD>'), 'utf-8'), 'Upper');
  assert.equal(extractTitle(utf8('<Title>Mixed</tItLe>'), 'utf-8'), 'Mixed');
  assert.equal(extractTitle(utf8('<title>lower open</TITLE>'), 'utf-8'), 'lower open');
  assert.equal(extractTitle(utf8('<TITLE>upper open</title>'), 'utf-8'), 'upper open');
  assert.equal(extractTitle(utf8('<title lang="en" id=t>With attributes</title>'), 'utf-8'), 'With attributes');
  assert.equal(extractTitle(utf8('<title\tdata-x="1">Tab before attribute</title>'), 'utf-8'), 'Tab before attribute');
  assert.equal(extractTitle(utf8('<title>Spaced close</title  >'), 'utf-8'), 'Spaced close');
  assert.equal(extractTitle(utf8('<TITLE>Spaced upper close</TITLE >'), 'utf-8'), 'Spaced upper close');
});

test('extractTitle: <titles> or <titlebar> are not <title>', () => {
  assert.equal(extractTitle(utf8('<titles>no</titles><title>yes</title>'), 'utf-8'), 'yes');
  assert.equal(extractTitle(utf8('<titlebar>no</titlebar>'), 'utf-8'), null);
  assert.equal(extractTitle(utf8('<TITLEBAR>no</TITLEBAR><Title>yes</Title>'), 'utf-8'), 'yes');
});

test('extractTitle: ASCII whitespace stripped at both ends and collapsed to one space inside', () => {
  assert.equal(extractTitle(utf8('<title>\n   Hello \t\r\n  World\f </title>'), 'utf-8'), 'Hello World');
  assert.equal(extractTitle(utf8('<TITLE>\n\n  Upper   case\tspaced\n</TITLE>'), 'utf-8'), 'Upper case spaced');
  assert.equal(extractTitle(utf8('<title>one</title>'), 'utf-8'), 'one');
});

test('extractTitle: an empty or all-space title is "", a page without one null', () => {
  assert.equal(extractTitle(utf8('<title></title>'), 'utf-8'), '');
  assert.equal(extractTitle(utf8('<title> \n\t </title>'), 'utf-8'), '');
  assert.equal(extractTitle(utf8('<html><head></head><body>No title</body></html>'), 'utf-8'), null);
  assert.equal(extractTitle(utf8(''), 'utf-8'), null);
  assert.equal(extractTitle(utf8('<p>a title word, but no tag</p>'), 'utf-8'), null);
});

test('extractTitle: the first title counts', () => {
  assert.equal(extractTitle(utf8('<title>first</title><title>second</title>'), 'utf-8'), 'first');
});

test('extractTitle: the references that always decode: &amp; &lt; &gt; &quot; and numeric ones', () => {
  assert.equal(extractTitle(utf8('<title>Tom &amp; Jerry</title>'), 'utf-8'), 'Tom & Jerry');
  assert.equal(extractTitle(utf8('<title>&lt;b&gt; is &quot;bold&quot;</title>'), 'utf-8'), '<b> is "bold"');
  assert.equal(extractTitle(utf8('<title>caf&#233; caf&#xE9; caf&#Xe9; &#128578;</title>'), 'utf-8'), 'café café café 🙂');
  assert.equal(extractTitle(utf8('<title>&amp;amp;</title>'), 'utf-8'), '&amp;', 'decoded once');
  assert.equal(extractTitle(utf8('<title>AT&T; &xyzzy;</title>'), 'utf-8'), 'AT&T; &xyzzy;', 'unknown names stay as written');
  // "&not" is one of the legacy references decoded without ";" in text, so the spec (and parse5, and
  // browsers) make "&notanentity;" "¬anentity;" (issue 13, row 8).
  assert.equal(extractTitle(utf8('<title>&notanentity;</title>'), 'utf-8'), '¬anentity;');
});

test('extractTitle: a title that is not closed runs to the end of what was kept (a body cut at the keep limit)', () => {
  const KEEP = 256 * 1024;
  const open = KEEP - 30;
  const room = KEEP - open - '<title>'.length;
  const text = 'A long title, cut off somewhere in here and beyond';
  const kept = utf8(filler(open) + '<title>' + text).subarray(0, KEEP);
  assert.equal(kept.length, KEEP);
  assert.equal(extractTitle(kept, 'utf-8'), text.slice(0, room).trim());
  const upper = utf8(filler(open) + '<TITLE>' + text).subarray(0, KEEP);
  assert.equal(extractTitle(upper, 'utf-8'), text.slice(0, room).trim());
  assert.equal(extractTitle(utf8(filler(KEEP - 4) + '<tit'), 'utf-8'), null, 'the open tag itself cut: no title');
  assert.equal(extractTitle(utf8('<title>short, unclosed'), 'utf-8'), 'short, unclosed');
});

test('isHtml: by Content-Type when there is one, else by sniffing the start of the body', () => {
  assert.equal(isHtml('text/html; charset=utf-8', latin1('')), true);
  assert.equal(isHtml('TEXT/HTML', latin1('{}')), true);
  assert.equal(isHtml('application/xhtml+xml', latin1('')), true);
  assert.equal(isHtml('application/json', latin1('<html><title>x</title>')), false, 'a declared type wins over the bytes');
  assert.equal(isHtml('text/plain', latin1('<!doctype html>')), false);
  assert.equal(isHtml(null, latin1('  <!DOCTYPE html><title>x</title>')), true);
  assert.equal(isHtml(null, latin1('<HTML>')), true);
  assert.equal(isHtml(null, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), latin1('<html>')])), true, 'after a UTF-8 BOM');
  assert.equal(isHtml(null, latin1('{"title": "<title>"}')), false);
  assert.equal(isHtml(null, latin1('plain text')), false);
});
