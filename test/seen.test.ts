// The seen-URL set: exact answers for what was added, across the table's growth, with 8 bytes a URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeenSet } from '../src/input/seen.js';

test('SeenSet: add is true once per string, has answers for added and never-added strings, through several doublings', () => {
  const s = new SeenSet();
  const n = 300_000;
  for (let i = 0; i < n; i++) assert.equal(s.add(`http://127.0.0.1:8080/page/${i}`), true);
  assert.equal(s.size, n);
  for (let i = 0; i < n; i += 7) assert.equal(s.add(`http://127.0.0.1:8080/page/${i}`), false, `repeat ${i}`);
  assert.equal(s.size, n);
  let falseHits = 0;
  for (let i = 0; i < n; i++) {
    assert.equal(s.has(`http://127.0.0.1:8080/page/${i}`), true);
    if (s.has(`http://127.0.0.2:8080/page/${i}`)) falseHits++;
  }
  assert.equal(falseHits, 0, '64-bit hashes: no false "seen" among 300k other URLs');
});
