// Preloaded with `node --import` by a test: opens /dev/null until the process is out of descriptors,
// then closes CRAWL_TEST_FREE_FDS of them, so the crawl runs with only that many left, whatever
// --limit the descriptor limit seems to allow. The descriptors stay held by "something else in the
// process", as a library's or a leaked file's would.
import { closeSync, openSync } from 'node:fs';

const free = Number(process.env['CRAWL_TEST_FREE_FDS'] ?? '0');
const held: number[] = [];
for (;;) {
  try {
    held.push(openSync('/dev/null', 'r'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EMFILE') throw err;
    break;
  }
}
for (const fd of held.splice(held.length - free)) closeSync(fd);
