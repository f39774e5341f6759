// A focused micro-benchmark of the default (plain) extraction path: charset detection plus the title
// scan, over the bench's /big-page bodies and a real-looking page whose head carries meta, link and
// script tags before the title. Prints pages per CPU-second (best of 5 rounds) per page kind.
// Run: npm run build && node dist/bench/extract-micro.js
import { bigPage } from '../fixtures/bigpage.js';
import { detectDecoder } from '../src/extract/charset.js';
import { extractTitle } from '../src/extract/title.js';

function realHead(n: number): Buffer {
  const metas = Array.from({ length: 12 }, (_, i) => `<meta name="m${i}" content="value ${i} with a &gt; sign">`).join('\n');
  const links = Array.from({ length: 8 }, (_, i) => `<link rel="stylesheet" href="/css/s${i}.css?v=3">`).join('\n');
  const script = `<script>window.dataLayer=window.dataLayer||[];function g(){for(var i=0;i<3;i++){dataLayer.push(arguments)}}</script>`;
  const html = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n${metas}\n${links}\n${script}\n<title>Page ${n} &ndash; Docs</title>\n</head>\n<body>\n`;
  return Buffer.concat([Buffer.from(html, 'utf8'), bigPage(String(n), 10).subarray(60)]);
}

const KINDS: Record<string, Buffer[]> = {
  'big-page 10 KB': Array.from({ length: 64 }, (_, i) => bigPage(String(i), 10)),
  'real-looking head 10 KB': Array.from({ length: 64 }, (_, i) => realHead(i)),
};

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

let sink = 0;
for (const [kind, pages] of Object.entries(KINDS)) {
  let best = 0;
  for (let round = 0; round < 5; round++) {
    const start = cpuMs();
    let n = 0;
    while (cpuMs() - start < 400) {
      for (const body of pages) {
        const cs = detectDecoder(body, 'text/html');
        sink += (extractTitle(body, cs) ?? '').length;
        n++;
      }
    }
    best = Math.max(best, n / ((cpuMs() - start) / 1000));
  }
  console.log(`${kind}: ${Math.round(best).toLocaleString('en')} pages/CPU-s`);
}
if (sink < 0) console.log(sink);
