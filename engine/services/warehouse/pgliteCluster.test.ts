import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { tmpDirs } from '../../testing/tmpDirs';
import { clusterIdentity, makeClusterTemplate, openPglite, unpackCluster, WAREHOUSE_SETTINGS } from './pgliteCluster';
import { PgliteWarehouse } from './pgliteWarehouse';

const tmp = tmpDirs('rp-pglite-cluster-');
const initSql = fs.readFileSync(path.resolve('sql/init.sql'), 'utf8');

test('a template made by the installed PGlite in a child process opens as its own initdb cluster does, with our settings', async () => {
  const template = path.join(tmp(), 'pglite-cluster.tar.gz');
  const said: string[] = [];
  await makeClusterTemplate(template, (l) => said.push(l));
  assert.match(said[0], /making the embedded warehouse's cluster template for PGlite \d+\.\d+\.\d+ \(once per machine/);
  assert.match(said[1], /cluster template ready/);
  assert.deepEqual(fs.readdirSync(path.dirname(template)), ['pglite-cluster.tar.gz'], 'no partial file is left behind');
  const fresh = await PGlite.create({ dataDir: path.join(tmp(), 'initdb') });
  const made = await clusterIdentity(fresh);
  await fresh.close();

  const db = await openPglite(path.join(tmp(), 'warehouse'), { settings: WAREHOUSE_SETTINGS, template });
  try {
    assert.deepEqual(await clusterIdentity(db), made);
    const settings = await db.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'full_page_writes') ORDER BY name`,
    );
    assert.deepEqual(
      settings.rows.map((r) => [r.name, r.setting, r.unit]),
      [
        ['full_page_writes', 'off', null],
        ['shared_buffers', '4096', '8kB'],
      ],
    );
  } finally {
    await db.close();
  }
});

test('a new embedded warehouse is made from the template, keeps its data, and opens again', async () => {
  const template = path.join(tmp(), 'missing', 'pglite-cluster.tar.gz');
  const dir = path.join(tmp(), 'warehouse');
  // No template yet: the first new data dir makes it.
  const w = await PgliteWarehouse.open(dir, initSql, { template });
  assert.ok(fs.existsSync(template));
  const id = (await w.query('SELECT system_identifier::text FROM pg_control_system()')).rows;
  await w.beginRun('etl-1');
  await w.finishRun({ runId: 'etl-1', status: 'succeeded', files: 0, inserted: 0, skipped: 0 });
  await w.close();
  assert.ok(!fs.existsSync(`${dir}.unpacking`));
  const again = await PgliteWarehouse.open(dir, initSql, { template });
  const other = await PgliteWarehouse.open(path.join(tmp(), 'warehouse'), initSql, { template });
  try {
    // initdb draws a new system identifier for every cluster: both have the template's.
    assert.deepEqual((await again.query('SELECT system_identifier::text FROM pg_control_system()')).rows, id);
    assert.deepEqual((await other.query('SELECT system_identifier::text FROM pg_control_system()')).rows, id);
    assert.deepEqual(
      (await again.runs(5)).map((r) => [r.run_id, r.status]),
      [['etl-1', 'succeeded']],
    );
    assert.deepEqual(await other.runs(5), []);
  } finally {
    await again.close();
    await other.close();
  }
});

test('a data dir made by PGlite itself (before templates) opens as it is, its data kept', async () => {
  const dir = path.join(tmp(), 'warehouse');
  const old = await PGlite.create({ dataDir: dir });
  await old.exec(initSql);
  await old.exec(`INSERT INTO etl_runs (run_id, started_at, status) VALUES ('etl-old', now(), 'succeeded')`);
  const id = (await old.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()')).rows;
  await old.close();
  const template = path.join(tmp(), 'never-made.tar.gz');
  const w = await PgliteWarehouse.open(dir, initSql, { template });
  try {
    assert.deepEqual(
      (await w.runs(5)).map((r) => r.run_id),
      ['etl-old'],
    );
    assert.deepEqual((await w.query('SELECT system_identifier::text FROM pg_control_system()')).rows, [[id[0].id]]);
    assert.ok(!fs.existsSync(template), 'an existing data dir needs no template');
  } finally {
    await w.close();
  }
});

/** A tar of one entry (ustar header + data), gzipped. */
function tarOf(name: string, body: string, type = '0'): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'latin1');
  header.write('0000644\0', 100, 'latin1');
  header.write(`${Buffer.byteLength(body).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  header.write(type, 156, 'latin1');
  header.write('ustar\0' + '00', 257, 'latin1');
  const data = Buffer.alloc(Math.ceil(Buffer.byteLength(body) / 512) * 512);
  data.write(body);
  return gzipSync(Buffer.concat([header, data, Buffer.alloc(1024)]));
}

test('a template that would write outside the data dir, or holds links, is refused and leaves nothing', () => {
  const dir = tmp();
  const cases: [Buffer, RegExp][] = [
    [tarOf('../../escaped.txt', 'x'), /entry "\.\.\/\.\.\/escaped\.txt" is not a file inside the cluster/],
    [tarOf('/base/../../escaped.txt', 'x'), /is not a file inside the cluster/],
    [tarOf('/PG_VERSION', '/etc/passwd', '2'), /has type "2", not a file or folder/],
    [tarOf('/not-a-cluster.txt', 'x'), /holds no PostgreSQL cluster/],
  ];
  for (const [bytes, refusal] of cases) {
    const tarball = path.join(dir, 'evil.tar.gz');
    fs.writeFileSync(tarball, bytes);
    const target = path.join(dir, 'cluster');
    assert.throws(() => unpackCluster(tarball, target), refusal);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['evil.tar.gz']);
  }
  assert.ok(!fs.existsSync(path.join(path.dirname(dir), 'escaped.txt')));
});

test('a template this PGlite cannot open is made again by it', async () => {
  const dir = tmp();
  const template = path.join(dir, 'pglite-cluster.tar.gz');
  // A cluster whose PG_VERSION names another PostgreSQL: PostgreSQL refuses it, so the template is made again.
  const broken = tarOf('/PG_VERSION', '9\n');
  fs.writeFileSync(template, broken);
  const db = await openPglite(path.join(dir, 'warehouse'), { settings: WAREHOUSE_SETTINGS, template });
  try {
    assert.deepEqual((await db.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
    assert.ok(fs.statSync(template).size > broken.length, 'the template was made again');
  } finally {
    await db.close();
  }
});
