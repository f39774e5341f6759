// A focused micro-benchmark of --links extraction on the bench's link-heavy pages (/link-page/N,
// ~100 KB, ~300 links): the byte scan (what --links alone runs) against cheerio's tree (what it ran
// before, and what --select still runs). Prints pages per CPU-second, best of 5 rounds.
// Run: npm run build && node dist/bench/links-micro.js
import { decoderFor } from '../src/extract/decode.js';
import { loadDomExtractor, loadTreeExtractor, type DomExtractor } from '../src/extract/dom.js';
import { linkPage } from '../fixtures/linkpage.js';

const pages = Array.from({ length: 32 }, (_, i) => linkPage(i, 100, 300));
const utf8 = decoderFor('utf-8')!;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function rate(ex: DomExtractor): number {
  let best = 0;
  let sink = 0;
  for (let round = 0; round < 5; round++) {
    const start = cpuMs();
    let n = 0;
    while (cpuMs() - start < 500) {
      for (const body of pages) {
        sink += ex(body, utf8, 'http://127.0.0.1:8080/link-page/1?kb=100&links=300').links?.length ?? 0;
        n++;
      }
    }
    best = Math.max(best, n / ((cpuMs() - start) / 1000));
  }
  if (sink < 0) console.log(sink);
  return best;
}

const scan = await loadDomExtractor([], true);
const tree = await loadTreeExtractor([], true);
const s = rate(scan);
const t = rate(tree);
console.log(`byte scan: ${Math.round(s).toLocaleString('en')} pages/CPU-s (${(1000 / s).toFixed(3)} ms a page)`);
console.log(`cheerio tree: ${Math.round(t).toLocaleString('en')} pages/CPU-s (${(1000 / t).toFixed(3)} ms a page)`);
