import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

const rss = () => (process.memoryUsage().rss / 2 ** 20).toFixed(0);
const t0 = performance.now();
const lap = (s: string) => console.log(s, (performance.now() - t0).toFixed(0), 'ms, rss', rss());
const mode = process.argv[2];
const tpl = '/tmp/perfscratch/tpl';
if (mode === 'make') {
  fs.rmSync(tpl, { recursive: true, force: true });
  const c = await PGlite.create({ dataDir: tpl, extensions: { pg_trgm } });
  await c.exec('create extension if not exists pg_trgm; create table t(x int)');
  const blob = await c.dumpDataDir('none');
  fs.writeFileSync('/tmp/perfscratch/tpl.tar', Buffer.from(await blob.arrayBuffer()));
  const blob2 = await c.dumpDataDir('gzip');
  fs.writeFileSync('/tmp/perfscratch/tpl.tgz', Buffer.from(await blob2.arrayBuffer()));
  await c.close();
  lap('made');
} else if (mode === 'copy') {
  const dir = fs.mkdtempSync('/tmp/perfscratch/copy-');
  fs.cpSync(tpl, dir, { recursive: true });
  lap('copied');
  const c = await PGlite.create({ dataDir: dir, extensions: { pg_trgm } });
  lap('opened');
  console.log((await c.query('select count(*) from t')).rows);
  lap('queried');
  await c.close();
} else if (mode === 'load') {
  const dir = fs.mkdtempSync('/tmp/perfscratch/load-');
  const c = await PGlite.create({
    dataDir: dir,
    loadDataDir: new Blob([fs.readFileSync('/tmp/perfscratch/tpl.tar')]),
    extensions: { pg_trgm },
  });
  lap('opened');
  console.log((await c.query('select count(*) from t')).rows);
  lap('queried');
  await c.close();
  console.log(fs.readdirSync(dir).length);
} else if (mode === 'loadmem') {
  const c = await PGlite.create({
    loadDataDir: new Blob([fs.readFileSync('/tmp/perfscratch/tpl.tgz')]),
    extensions: { pg_trgm },
  });
  lap('opened');
  console.log((await c.query('select count(*) from t')).rows);
  lap('queried');
  await c.close();
}
