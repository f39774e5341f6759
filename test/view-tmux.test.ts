// End to end, as a person sees it: the real CLI in a tmux pane with --progress always, the
// screen captured mid-run (live numbers) and after the end (summary), and stdout's file pure NDJSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSite } from '../fixtures/site.js';
import { hasTmux, quote, waitForScreen } from './helpers/tmux.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PAGES = 60;

test('the live view in a real terminal: progress mid-run, summary at the end, NDJSON untouched', async (t) => {
  if (!hasTmux()) {
    t.skip('tmux not installed');
    return;
  }
  const site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'], log: false });
  const dir = mkdtempSync(join(tmpdir(), 'crawl-tmux-'));
  const session = `crawl-test-${process.pid}`;
  try {
    const urls = Array.from({ length: PAGES }, (_, i) => site.url(i % 2 === 0 ? '127.0.0.1' : '127.0.0.2', `/page/${i + 1}?delay=300`));
    const list = join(dir, 'urls.txt');
    const out = join(dir, 'out.ndjson');
    writeFileSync(list, urls.join('\n') + '\n');
    // CI is unset for the child: under CI, Ink would hold every frame back until the end.
    const crawl = [process.execPath, 'bin/crawl.js', list, '--progress', 'always', '--limit', '4', '-o', out].map(quote).join(' ');
    const script = `cd ${quote(REPO)} && env -u CI -u CONTINUOUS_INTEGRATION ${crawl}; echo "[exit $?]"; sleep 30`;
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '100', '-y', '30', 'sh', '-c', script]);

    const progress = /(\d+) \/ 60\b/;
    const mid = await waitForScreen(
      session,
      (s) => {
        const m = progress.exec(s);
        return m !== null && Number(m[1]) > 0 && Number(m[1]) < PAGES;
      },
      15_000,
      'progress numbers',
    );
    assert.match(mid, /\d+ ok · \d+ failed · [\d.]+ pages\/s/, `mid-run screen:\n${mid}`);
    assert.match(mid, /in flight [1-4] of 4/, `mid-run screen:\n${mid}`);
    assert.match(mid, new RegExp(`127\\.0\\.0\\.[12]:${site.port}\\s+\\d/4`), `mid-run screen:\n${mid}`);
    assert.doesNotMatch(mid, /crawl: \d+ URLs in/, 'no summary while running');

    const end = await waitForScreen(session, (s) => /\[exit \d+\]/.test(s), 60_000, 'the end of the crawl');
    assert.match(end, /crawl: 60 URLs in [\d.]+ s \([\d.]+\/s\) · 60 ok · 0 failed/, `final screen:\n${end}`);
    assert.match(end, /60 \/ 60 {2}100% {2}done/, `the final frame stays on screen:\n${end}`);
    assert.match(end, /\[exit 0\]/);
    assert.equal((end.match(/60 \/ 60/g) ?? []).length, 1, `one final frame, not a trail of frames:\n${end}`);

    const lines = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '');
    assert.equal(lines.length, PAGES);
    const seen = new Set<string>();
    for (const line of lines) {
      const record = JSON.parse(line) as { url: string; ok: boolean; title: string | null };
      assert.equal(record.ok, true, line);
      seen.add(record.url);
    }
    assert.deepEqual([...seen].sort(), [...urls].sort());
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
