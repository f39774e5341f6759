// Markup the link-scan tests share: hand-written edge cases of htmlparser2's tokenizer, and random
// soups of the pieces those cases are made of.
import { rng } from '../../fixtures/rng.js';

export const CASES: [string, string][] = [
  ['plain', '<a href="/a">x</a><a href=\'b\'>y</a><a href=c>z</a>'],
  ['area and upper case', '<MAP><AREA HREF="/area"><A HrEf="/upper">u</A></MAP>'],
  ['base', '<head><base href="/sub/dir/"><base href="/second/"></head><a href="rel">r</a>'],
  ['base without href first', '<base target="_blank"><base href="https://other.test/x/"><a href="y">y</a>'],
  ['first href wins', '<a href="/first" href="/second">x</a>'],
  ['no value and empty', '<a href>self</a><a href="">empty</a><a href=>eq</a><a href/>sc</a>'],
  ['entities', '<a href="/q?a=1&amp;b=2&lt;&#x41;&eacute;&ampx=1&amp=2&notit;">e</a>'],
  ['whitespace trimmed', '<a href="  \n/trim  \t">t</a><a href=" https://x.test/ ">t</a>'],
  ['comments', '<!-- <a href="/c1"> --><a href="/ok1"><!--> <a href="/ok2"> <!---> <a href="/ok3"> <!-- x --!> <a href="/c2"> --> <a href="/ok4">'],
  ['declarations', '<!DOCTYPE html><!> <a href="/d1"> > <a href="/ok"><!-> <a href="/d2">> <a href="/ok2"><!x <a href="/d3">><a href="/ok3">'],
  ['cdata', '<![CDATA[ <a href="/cd"> ]]><a href="/ok"><![CDAT <a href="/decl">><a href="/ok2">'],
  ['processing instruction', '<?xml <a href="/pi"> ?><a href="/ok">'],
  ['script and style', '<script>"<a href=/s1>"</script><a href="/ok"><style>a{}</style x><a href="/s2"></style><a href="/ok2">'],
  ['script end needs > or space', '<script>x</script/><a href="/s1"></scriptx><a href="/s2"></script ><a href="/ok">'],
  ['self-closed script is not text', '<script/><a href="/ok1"><script / ><a href="/ok2"><script/x><a href="/in"></script><a href="/ok3">'],
  ['title textarea xmp are text', '<title><a href="/t"></title><textarea><a href="/ta"></textarea><xmp><a href="/x"></xmp><a href="/ok">'],
  ['not special', '<noscript><a href="/ns"></noscript><template><a href="/tp"></template><svg><a href="/svg"/></svg><iframe><a href="/if"></iframe>'],
  ['end tags run to >', '</a title=">"><a href="/after">x</a></ a><a href="/ok"></1 <a href="/bogus">> <a href="/ok2">'],
  ['quotes with >', '<a title="a > b" href="/ok">x</a><a href="/q\'uote">q</a><a href=\'/d"q\'>d</a>'],
  ['odd attribute names', '<a =href="/no" href="/yes">x</a><a x=y/href="/v">v</a><a/href="/slash">s</a><a <b href="/lt">l</a>'],
  ['less-than as text', 'a < b <3 <a href="/ok">x</a> a<<a href="/ok2">'],
  ['unterminated tag at the end', '<a href="/ok">x</a><a href="/cut'],
  ['unterminated comment', '<a href="/ok"><!-- <a href="/in-comment">'],
  ['unterminated script', '<a href="/ok"><script> <a href="/in-script">'],
  ['schemes', '<a href="mailto:a@b"><a href="javascript:x()"><a href="ftp://f/"><a href="data:text/html,x"><a href="//proto.test/p"><a href="#frag"><a href="?q">'],
  ['non-ASCII', '<a href="/café/日本">u</a><a href="https://bücher.example/ü">idn</a>'],
  ['tabs and newlines in a tag', '<a\n\thref\n=\n"/spaced"\n>x</a><a\fhref=/ff>y</a>'],
];

export const PIECES = ['<', '>', '/', '!', '-', '--', '?', '[', ']', '=', '"', "'", ' ', '\n', '\t', '&', '&amp;', '&lt', '#', ';', 'a', 'A', 'href', 'HREF', 'area', 'base', 'script', 'style', 'title', 'textarea', 'xmp', 'CDATA[', 'x', '/p', 'é', '日', '<a ', '<a href=', '</', '<!--', '-->', '<!', ']]>', '<script>', '</script>', '<style>', '</style', '<base href=', 'http://h.test/', '../', '?q=1', 'mailto:', '<title>', '</title>'];

/** `count` random soups of 5–64 PIECES, the same for the same seed. */
export function soups(seed: number, count: number): string[] {
  const next = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const n = 5 + Math.floor(next() * 60);
    for (let j = 0; j < n; j++) s += PIECES[Math.floor(next() * PIECES.length)];
    out.push(s);
  }
  return out;
}
