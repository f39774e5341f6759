// The title scan against what a browser's document.title gives (rows 8–10 of issue 13): every case
// has the expected title written out and is also checked against parse5, the spec-following parser
// behind cheerio's load(), read the way document.title reads a tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from 'cheerio';
import { detectDecoder } from '../src/extract/charset.js';
import { decoderFor } from '../src/extract/decode.js';
import { extractTitle } from '../src/extract/title.js';

interface Node {
  type?: string;
  name?: string;
  data?: string;
  children?: Node[];
}

/** document.title from parse5's tree: the first title element outside template/svg/math, its text, ASCII spaces collapsed. */
function parse5Title(html: string): string | null {
  const $ = load(html);
  const find = (nodes: Node[]): Node | undefined => {
    for (const n of nodes) {
      if (n.type === 'tag' || n.type === 'script' || n.type === 'style') {
        if (n.name === 'title') return n;
        if (n.name === 'template' || n.name === 'svg' || n.name === 'math') continue;
        const hit = find(n.children ?? []);
        if (hit) return hit;
      }
    }
    return undefined;
  };
  const t = find($.root()[0]!.children as Node[]);
  if (!t) return null;
  const text = (t.children ?? []).map((c) => c.data ?? '').join('');
  return text.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '').replace(/[\t\n\f\r ]+/g, ' ');
}

const utf8 = decoderFor('utf-8')!;
const title = (html: string): string | null => extractTitle(Buffer.from(html, 'utf8'), utf8);

const CASES: [string, string, string | null][] = [
  ['named entities', '<title>It&rsquo;s caf&eacute; &hellip; &lt;b&gt; &NotNestedGreaterGreater; &amp</title>', 'It’s café … <b> ⪢̸ &'],
  ['legacy entity without ";"', '<title>&eacute &copy2026 &notit; &notin;</title>', 'é ©2026 ¬it; ∉'],
  ['numeric references', '<title>&#x2019;&#8217;&#X41;&#65</title>', '’’AA'],
  ['0x80–0x9F per windows-1252', '<title>&#x80;&#150;&#x9F;</title>', '€–Ÿ'],
  ['surrogates, zero and out of range → U+FFFD', '<title>a&#xD800;b&#xDFFF;c&#0;d&#x110000;e&#99999999999;</title>', 'a\ufffdb\ufffdc\ufffdd\ufffde\ufffd'],
  ['astral reference', '<title>&#x1F600;</title>', '😀'],
  ['ASCII whitespace collapsed, NBSP kept', '<title>\n\t  a \f\r\n b&nbsp;\u00a0c  </title>', 'a b\u00a0\u00a0c'],
  ['title in a comment', '<head><!-- <title>Wrong</title> --><title>Right</title>', 'Right'],
  ['short comments', '<head><!--><title>Right</title>', 'Right'],
  ['comment ended by --!>', '<head><!-- x --!><title>Right</title>', 'Right'],
  ['title in a script', '<head><script>document.write("<title>Wrong</title>")</script><title>Right</title>', 'Right'],
  ['title in a style', '<head><style>/* <title>Wrong</title> */</style><title>Right</title>', 'Right'],
  ['title in a template', '<head><template><title>Wrong</title></template><title>Right</title>', 'Right'],
  ['nested templates', '<head><template><template></template><title>Wrong</title></template><title>Right</title>', 'Right'],
  ['title in an inline svg', '<body><svg><title>Icon</title></svg><title>Right</title>', 'Right'],
  ['title in math', '<body><math><title>Wrong</title></math><title>Right</title>', 'Right'],
  ['self-closing svg', '<body><svg/><title>Right</title>', 'Right'],
  ['> inside a quoted attribute', '<head><meta content="a > <title>Wrong</title>"><title>Right</title>', 'Right'],
  ['single-quoted attribute', "<head><meta content='<title>x'><title>Right</title>", 'Right'],
  ['title attribute is not a title', '<head><link title="Wrong" href=/x><title>Right</title>', 'Right'],
  ['upper case', '<HTML><HEAD><TITLE>Upper</TITLE></HEAD>', 'Upper'],
  ['attributes and odd end tag', '<title lang="en" data-x=">">Attr</TITLE >', 'Attr'],
  ['<titles> is not a title', '<titles>No</titles><title>Yes</title>', 'Yes'],
  ['markup inside the title is text', '<title>a <b>bold</b> move</title>', 'a <b>bold</b> move'],
  ['unclosed title runs to the end', '<title>Open ended', 'Open ended'],
  ['empty title', '<title></title>', ''],
  ['no title', '<html><body><p>none</p></body></html>', null],
  ['title in textarea', '<body><textarea><title>Wrong</title></textarea><title>Right</title>', 'Right'],
  ['title in noscript (scripting on)', '<head><noscript><title>Wrong</title></noscript><title>Right</title>', 'Right'],
  ['title after a doctype and processing instruction', '<!DOCTYPE html><?xml x?><title>PI</title>', 'PI'],
  ['less-than as text', '<body>a < b <title>Right</title>', 'Right'],
];

for (const [name, html, want] of CASES) {
  test(`title: ${name}`, () => {
    assert.equal(title(html), want);
    assert.equal(parse5Title(html), want, 'parse5 (the browser yardstick) agrees with the expected title');
  });
}

test('title: the output never holds a lone surrogate', () => {
  for (const ref of ['&#xD83D;', '&#xDE00;', '&#55357;&#56832;', '&#xD83D;&#xDE00;']) {
    const t = title(`<title>${ref}</title>`) ?? '';
    assert.doesNotMatch(t, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/, ref);
    assert.ok(JSON.stringify(t).indexOf('\\u') === -1, `${ref}: JSON has no escaped surrogate`);
  }
});

test('charset: <meta charset=utf-16> on an ASCII page means UTF-8', () => {
  const body = Buffer.from('<!doctype html><meta charset="utf-16"><title>Sixteen — ok</title>', 'utf8');
  const d = detectDecoder(body, 'text/html');
  assert.equal(d.encoding, 'utf-8');
  assert.equal(extractTitle(body, d), 'Sixteen — ok');
});

test('charset: a UTF-16 Content-Type is honoured; a BOM wins over everything', () => {
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<title>Le page é</title>', 'utf16le')]);
  assert.equal(extractTitle(le, detectDecoder(le, 'text/html; charset=utf-8')), 'Le page é');
  const be = Buffer.from('<title>Be</title>', 'utf16le').swap16();
  assert.equal(extractTitle(be, detectDecoder(be, 'text/html; charset=utf-16be')), 'Be');
});

test('charset: x-user-defined decodes ASCII as is and 0x80+n as U+F780+n; in a meta it means windows-1252', () => {
  const body = Buffer.concat([Buffer.from('<title>A', 'latin1'), Buffer.from([0x80, 0xff]), Buffer.from('</title>', 'latin1')]);
  assert.equal(extractTitle(body, detectDecoder(body, 'text/html; charset=x-user-defined')), 'A\uf780\uf7ff');
  const meta = Buffer.concat([Buffer.from('<meta charset="x-user-defined"><title>', 'latin1'), Buffer.from([0x93, 0x51, 0x94]), Buffer.from('</title>', 'latin1')]);
  const d = detectDecoder(meta, 'text/html');
  assert.equal(d.encoding, 'windows-1252');
  assert.equal(extractTitle(meta, d), '“Q”');
});

test('charset: an unknown label falls back to windows-1252 (0x80–0x9F included); a known meta after an unknown header wins', () => {
  const body = Buffer.concat([Buffer.from('<title>', 'latin1'), Buffer.from([0x93, 0x43, 0x61, 0x66, 0xe9, 0x94, 0x20, 0x80]), Buffer.from('</title>', 'latin1')]);
  const d = detectDecoder(body, 'text/html; charset=x-no-such-charset');
  assert.equal(d.encoding, 'windows-1252');
  assert.equal(extractTitle(body, d), '“Café” €');
  const meta = Buffer.from('<meta charset="utf-8"><title>caf\u00e9</title>', 'utf8');
  assert.equal(detectDecoder(meta, 'text/html; charset=bogus').encoding, 'utf-8');
  assert.equal(detectDecoder(Buffer.from('<title>x</title>'), 'text/html').encoding, 'utf-8', 'no label at all: UTF-8 as before');
});
