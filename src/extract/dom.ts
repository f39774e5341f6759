// --select and --links: a DOM built by htmlparser2, the parser of cheerio's slim entry (several times
// faster than the default parse5 one), queried with cheerio; loaded on first use so plain crawls
// never pay for it. When only --links is asked, no tree at all: a byte scan (linkscan.ts) finds the
// very hrefs the tree would hold, and linkbytes.ts resolves them from the bytes.
import { UserError } from '../user-error.js';
import type { Decoder } from './decode.js';
import { resolveScanned } from './linkbytes.js';
import { linkBase, resolveLinks } from './links.js';
import { scanLinks } from './linkscan.js';
import { loadWasmLinks } from './links-wasm.js';

/** `--select name=css[@attr]`: the first match's text, or its attribute, goes into `fields.name`. */
export interface SelectRule {
  name: string;
  css: string;
  attr?: string;
}

export interface DomResult {
  fields?: Record<string, string | null>;
  links?: string[];
}

/** Fields and links of a page: its body bytes, the decoder its charset calls for, its final URL. */
export type DomExtractor = (body: Buffer, decoder: Decoder, pageUrl: string) => DomResult;

/** --links alone: the scan's hrefs, resolved as the tree's would be (in WebAssembly where it runs). */
async function loadScanExtractor(): Promise<DomExtractor> {
  const wasm = await loadWasmLinks();
  if (wasm) return (body, decoder, pageUrl) => ({ links: wasm.links(body, decoder, pageUrl) });
  return (body, decoder, pageUrl) => ({ links: resolveScanned(scanLinks(body, decoder), pageUrl) });
}

const SPACES = /\s+/g;

/** The part of htmlparser2's node shape (domhandler, which cheerio is built on) the link walk reads. */
interface TreeNode {
  name?: string;
  attribs?: Record<string, string>;
  children?: readonly TreeNode[];
}

export async function loadDomExtractor(select: SelectRule[], wantLinks: boolean): Promise<DomExtractor> {
  if (select.length === 0 && wantLinks) return loadScanExtractor();
  return loadTreeExtractor(select, wantLinks);
}

/** The cheerio/htmlparser2 extractor, for --select (and --links with it); tests compare the scan with its links. */
export async function loadTreeExtractor(select: SelectRule[], wantLinks: boolean): Promise<DomExtractor> {
  const [{ load }, { parseDocument }] = await Promise.all([import('cheerio/slim'), import('htmlparser2')]);
  // One Cheerio instance wraps every page's document: load() per page would define a new Cheerio
  // subclass each time (~60 µs and garbage per page). parseDocument is the parser cheerio/slim's
  // load() calls, with its default options.
  const $ = load('');
  return (body, decoder, pageUrl) => {
    const doc = parseDocument(decoder.decode(body));
    const out: DomResult = {};
    if (select.length > 0) {
      const root = $(doc);
      const fields: Record<string, string | null> = {};
      for (const rule of select) {
        let el;
        try {
          el = root.find(rule.css).first();
        } catch {
          el = null; // an invalid selector was rejected at start-up; a page cannot make one fail
        }
        if (!el || el.length === 0) fields[rule.name] = null;
        else if (rule.attr !== undefined) fields[rule.name] = el.attr(rule.attr) ?? null;
        else fields[rule.name] = el.text().replace(SPACES, ' ').trim();
      }
      out.fields = fields;
    }
    if (wantLinks) {
      // One plain walk of the tree for <base href> and every a/area href: no selector engine (which
      // parses and compiles the selector on every call) and no Cheerio wrapper per element.
      const raws: string[] = [];
      let baseHref: string | undefined;
      const walk = (nodes: readonly TreeNode[]): void => {
        for (const node of nodes) {
          if (!node.children) continue;
          if (node.attribs) {
            const href = node.attribs.href;
            if (href !== undefined) {
              if (node.name === 'a' || node.name === 'area') raws.push(href.trim());
              else if (node.name === 'base') baseHref ??= href.trim();
            }
          }
          walk(node.children);
        }
      };
      walk(doc.children as TreeNode[]);
      const base = linkBase(pageUrl, baseHref);
      out.links = base ? resolveLinks(raws, base) : [];
    }
    return out;
  };
}

/** Throws a one-line message for a selector cheerio cannot parse, so bad --select fails at start. */
export async function checkSelectors(select: SelectRule[]): Promise<void> {
  if (select.length === 0) return;
  const { load } = await import('cheerio/slim');
  const $ = load('<html></html>');
  for (const rule of select) {
    try {
      $(rule.css);
    } catch (err) {
      throw new UserError(`--select ${rule.name}: invalid CSS selector "${rule.css}": ${(err as Error).message.split('\n')[0]}`);
    }
  }
}
