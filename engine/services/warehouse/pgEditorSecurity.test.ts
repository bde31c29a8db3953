import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { testService } from '../../testing/realServices';
import { tmpDirs } from '../../testing/tmpDirs';
import { assertQuestionsRun, hostileStatements, loadSample, STATE_SQL, worldWritable } from './hostileSql.fixture';
import { derivedReaderPassword, openReaderLogin, READER_ROLE } from './pgReader';
import { PgWarehouse } from './pgWarehouse';

/**
 * The warehouse editor on a real PostgreSQL whose configured user is a superuser (as the test
 * server's `pulse` and docker-compose's POSTGRES_USER are): every hostile statement is refused
 * with a clear error and changes nothing; the editor's login is a reader that could not do harm
 * even past the parser; where no usable reader exists the editor refuses and says how to fix it.
 */

const initSqlPath = path.resolve('sql/init.sql');
const serverUrl = testService('postgres');
const tmp = tmpDirs('rp-pg-editor-');
const databases: string[] = [];
const roles: string[] = [];

async function admin<T>(fn: (c: pg.Client) => Promise<T>, db?: string): Promise<T> {
  const u = new URL(serverUrl);
  if (db) u.pathname = `/${db}`;
  const c = new pg.Client({ connectionString: u.href });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A new database (owned by `owner`), and its URL for `user`:`password`. */
async function freshDatabase(owner?: { user: string; password: string }): Promise<{ name: string; url: string }> {
  const name = `rp_sec_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}${owner ? ` OWNER ${owner.user}` : ''}`));
  databases.push(name);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  if (owner) {
    u.username = owner.user;
    u.password = owner.password;
  }
  return { name, url: u.href };
}

before(async () => {
  // The reader role exists on the server once any warehouse opened as the superuser.
  const { url } = await freshDatabase();
  await (await PgWarehouse.open({ url, initSqlPath })).close();
});
after(() =>
  admin(async (c) => {
    for (const name of databases) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    for (const role of roles) await c.query(`DROP ROLE IF EXISTS ${role}`);
  }),
);

test('PostgreSQL: every hostile statement is refused with a clear error and changes nothing; the questions still run as the reader', async () => {
  const { name, url } = await freshDatabase();
  const w = await PgWarehouse.open({ url, initSqlPath });
  const files = worldWritable(tmp());
  try {
    const sample = await loadSample(w);
    const stateBefore = await admin((c) => c.query(STATE_SQL), name);
    const passwordsBefore = await admin((c) => c.query(`SELECT rolname, rolpassword FROM pg_authid ORDER BY 1`));
    for (const [sql, refusal] of hostileStatements(files))
      await assert.rejects(
        w.query(sql),
        (e: { message?: string }) => refusal.test(e.message ?? '') || assert.fail(`${sql}: ${e.message}`),
      );
    assert.deepEqual(
      (await admin((c) => c.query(STATE_SQL), name)).rows,
      stateBefore.rows,
      'no role, table or object changed',
    );
    assert.deepEqual(
      (await admin((c) => c.query(`SELECT rolname, rolpassword FROM pg_authid ORDER BY 1`))).rows,
      passwordsBefore.rows,
      'no password changed',
    );
    assert.deepEqual(fs.readdirSync(files), [], 'no file written');
    assert.deepEqual((await w.query('SELECT current_user, session_user')).rows, [[READER_ROLE, READER_ROLE]]);
    await assertQuestionsRun((sql) => w.query(sql), sample);
  } finally {
    await w.close();
  }
});

test('PostgreSQL: the reader login itself, past the parser, can neither write, reach files and programs, nor become someone else', async () => {
  const { name, url } = await freshDatabase();
  await (await PgWarehouse.open({ url, initSqlPath })).close();
  const files = worldWritable(tmp());
  const readerUrl = new URL(url);
  readerUrl.username = READER_ROLE;
  readerUrl.password = encodeURIComponent(derivedReaderPassword(serverUrl));
  const stateBefore = await admin((c) => c.query(STATE_SQL), name);
  const reader = new pg.Client({ connectionString: readerUrl.href });
  await reader.connect();
  try {
    for (const sql of [
      `COPY (SELECT 1) TO PROGRAM 'id > ${files}/program.txt'`,
      `COPY (SELECT 1) TO '${files}/copy.csv'`,
      `SELECT pg_read_file('/etc/hostname')`,
      `SELECT pg_ls_dir('/')`,
      `SELECT lo_import('/etc/hostname')`,
      `SET ROLE pulse`,
      `SET session_authorization = 'pulse'`,
      `SELECT set_config('role', 'pulse', false)`,
      `CREATE TABLE rp_evil (a int)`,
      `DO $$ BEGIN CREATE TABLE rp_evil (a int); END $$`,
      `INSERT INTO dim_store (store_id, store_name, city, region) VALUES (99, 'Fake', 'Nowhere', 'None')`,
      `DELETE FROM fact_sales`,
      `SELECT * FROM load_manifest`,
      `ALTER ROLE ${READER_ROLE} SUPERUSER`,
      `GRANT pg_read_server_files TO ${READER_ROLE}`,
    ])
      await assert.rejects(reader.query(sql), /permission denied|must be superuser|must have|not allowed/, sql);
  } finally {
    await reader.end();
  }
  assert.deepEqual((await admin((c) => c.query(STATE_SQL), name)).rows, stateBefore.rows);
  assert.deepEqual(fs.readdirSync(files), []);
});

test('PostgreSQL: a writer that may not manage roles, and a reader with another password: the editor refuses and says how to fix it; the ETL still loads', async () => {
  const user = `rp_writer_${randomBytes(4).toString('hex')}`;
  const password = `w-${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`));
  roles.push(user);
  const { url } = await freshDatabase({ user, password });
  const w = await PgWarehouse.open({ url, initSqlPath });
  try {
    await assert.rejects(
      w.query('SELECT count(*) FROM fact_sales'),
      (e: { code?: string; field?: string; message?: string }) => {
        assert.equal(e.code, 'config_invalid');
        assert.equal(e.field, 'postgresReaderPassword');
        assert.match(
          e.message ?? '',
          new RegExp(
            `^cannot log in to postgres://127\\.0\\.0\\.1:\\d+/rp_sec_\\w+ as ${READER_ROLE}, the role the warehouse editor runs queries as \\(.*password authentication failed.*\\)\\. Fix: set postgresReaderPassword to its password, or let an administrator give it one \\(${user} may not\\)$`,
          ),
        );
        assert.ok(!(e.message ?? '').includes(password));
        return true;
      },
    );
    const sample = await loadSample(w);
    assert.equal(
      (await w.totals()).factRows,
      sample.reduce((n, f) => n + f.rows, 0),
      'the ETL keeps its writer credentials',
    );
  } finally {
    await w.close();
  }
  // With the reader's password in the settings, the same writer's editor runs, as the reader.
  const fixed = await PgWarehouse.open({ url, initSqlPath, readerPassword: derivedReaderPassword(serverUrl) });
  try {
    assert.deepEqual((await fixed.query('SELECT current_user')).rows, [[READER_ROLE]]);
    assert.ok(Number((await fixed.query('SELECT count(*) FROM fact_sales')).rows[0][0]) > 0);
  } finally {
    await fixed.close();
  }
});

test('PostgreSQL: a reader login that is a superuser, or one that does not exist, is refused with the fix', async () => {
  const id = randomBytes(4).toString('hex');
  const superReader = `rp_super_${id}`;
  await admin((c) => c.query(`CREATE ROLE ${superReader} LOGIN SUPERUSER PASSWORD 's-${id}'`));
  roles.push(superReader);
  const { name, url } = await freshDatabase();
  await admin(async (c) => {
    const r = await openReaderLogin(c, {
      url,
      clientConfig: { connectionString: url },
      password: `s-${id}`,
      role: superReader,
    });
    assert.deepEqual(r, {
      ok: false,
      problem: `${superReader} can do more than read, so the warehouse editor will not run queries as it: it is a superuser (fix: ALTER ROLE ${superReader} NOSUPERUSER)`,
    });
  }, name);
  const user = `rp_writer_${id}`;
  await admin((c) => c.query(`CREATE ROLE ${user} LOGIN PASSWORD 'w-${id}'`));
  roles.push(user);
  const writerUrl = new URL(url);
  writerUrl.username = user;
  writerUrl.password = `w-${id}`;
  const writer = new pg.Client({ connectionString: writerUrl.href });
  await writer.connect();
  try {
    const r = await openReaderLogin(writer, {
      url: writerUrl.href,
      clientConfig: { connectionString: writerUrl.href },
      role: `rp_missing_${id}`,
    });
    assert.equal(r.ok, false);
    assert.match(
      r.ok ? '' : r.problem,
      new RegExp(
        `^the warehouse editor runs queries as the role rp_missing_${id}, which does not exist on postgres://127\\.0\\.0\\.1:\\d+/${name}, and ${user} may not create roles\\. Fix: as an administrator run CREATE ROLE rp_missing_${id} LOGIN PASSWORD`,
      ),
    );
  } finally {
    await writer.end();
  }
});
