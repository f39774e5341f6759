// Issue 13, rows 8–10, end to end: titles with HTML5 named and numeric references (title and the
// cheerio-read --select field agree; no lone surrogate reaches stdout), decoy titles a browser does
// not take, and the HTML spec's charset rules (meta UTF-16, x-user-defined, an unknown label).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from '../fixtures/site.js';
import { ENTITY_TITLE_TEXT, HIDDEN_TITLE_TEXT } from '../fixtures/routes/titles.js';
import { runCli } from './helpers/cli.js';

type Rec = Record<string, unknown>;

test('rough edges: entity titles, hidden decoy titles, meta utf-16, x-user-defined, unknown charset label', async (t) => {
  const site = await startSite({ log: false });
  t.after(() => site.close());
  const paths = ['/title/entities', '/title/hidden', '/charset/meta-utf16', '/charset/x-user-defined', '/charset/unknown-1252'];
  const r = await runCli(['-', '--select', 'h=h1', '--progress', 'never'], { stdin: paths.map((p) => site.url('127.0.0.1', p)).join('\n') });
  assert.equal(r.code, 0, r.stderr);
  const by = (p: string): Rec => {
    const rec = r.records.find((x) => new URL(String(x.url)).pathname === p);
    assert.ok(rec, p);
    return rec;
  };
  const ent = by('/title/entities');
  assert.equal(ent.ok, true);
  assert.equal(ent.title, ENTITY_TITLE_TEXT);
  assert.equal((ent.fields as Rec).h, ent.title, 'title and the cheerio-decoded h1 of the same markup agree');
  assert.doesNotMatch(r.stdout, /\\ud[89a-f][0-9a-f]{2}/i, 'no escaped lone surrogate on stdout');

  assert.equal(by('/title/hidden').title, HIDDEN_TITLE_TEXT);

  const u16 = by('/charset/meta-utf16');
  assert.equal(u16.ok, true);
  assert.equal(u16.title, 'Meta UTF-16');

  const xud = by('/charset/x-user-defined');
  assert.equal(xud.ok, true, JSON.stringify(xud.error));
  assert.equal(xud.title, 'User \uf780\uf7ff');

  const unk = by('/charset/unknown-1252');
  assert.equal(unk.ok, true, JSON.stringify(unk.error));
  assert.equal(unk.title, '“Café” €');
});
