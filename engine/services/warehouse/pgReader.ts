import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';
import { PulseError } from '../../errors';
import { maskUrlPassword } from '../../util/redact';
import { describeUrl } from './pgErrors';

/**
 * The login every warehouse-editor query runs as on a PostgreSQL server: `retail_pulse_reader`,
 * which sql/init.sql makes (where the writer may make roles) and grants SELECT on the star schema.
 * The app gives it its password: the setting postgresReaderPassword, else one derived from the
 * writer's password (every app with the same writer derives the same one). Before any query runs
 * as it, the role is checked: not a superuser, no server-file or signalling roles, no write
 * privilege on this schema's tables. If there is no such login, the editor refuses to run and the
 * message says how to fix it; the ETL keeps its writer credentials either way.
 */

export const READER_ROLE = 'retail_pulse_reader';
const READER_POOL_MAX = 2;

/** Built-in roles that would let a reader reach the server's files, run programs, or stop others. */
const DANGEROUS_MEMBERSHIPS = [
  'pg_read_server_files',
  'pg_write_server_files',
  'pg_execute_server_program',
  'pg_write_all_data',
  'pg_signal_backend',
  'pg_checkpoint',
];

export type ReaderLogin = { ok: true; pool: pg.Pool; config: pg.ClientConfig } | { ok: false; problem: string };

export interface ReaderOptions {
  /** The writer's URL: the reader logs in to the same server and database. */
  url: string;
  /** The writer's connection settings (session options, timeouts). */
  clientConfig: pg.ClientConfig;
  /** The reader's password from the settings, if given. */
  password?: string;
  /** The reader role; READER_ROLE, the one sql/init.sql grants to, unless a test names another. */
  role?: string;
}

/** The reader's password when the settings give none: HMAC of the writer's password, stable across apps. */
export function derivedReaderPassword(writerUrl: string): string {
  const writerPassword = decodeURIComponent(new URL(writerUrl).password);
  return createHmac('sha256', writerPassword).update('retail-pulse warehouse reader v1').digest('base64url');
}

/** A SCRAM-SHA-256 verifier, so ALTER ROLE … PASSWORD never sends (or logs) the password itself. */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/**
 * Logs in as the reader (giving the role its password first when the writer may), checks that it
 * can only read, and returns a pool of its connections, or the problem and its fix.
 */
export async function openReaderLogin(writer: pg.Client, opts: ReaderOptions): Promise<ReaderLogin> {
  const role = opts.role ?? READER_ROLE;
  const password = opts.password ?? derivedReaderPassword(opts.url);
  const url = new URL(opts.url);
  url.username = role;
  url.password = encodeURIComponent(password);
  const config: pg.ClientConfig = {
    ...opts.clientConfig,
    connectionString: url.href,
    application_name: 'retail-pulse-editor',
    options: `${opts.clientConfig.options ?? ''} -c default_transaction_read_only=on`.trim(),
  };
  const me = await writerRights(writer);
  const exists = (await writer.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role])).rowCount === 1;
  const where = describeUrl(opts.url);
  if (!exists)
    return refuse(
      `the warehouse editor runs queries as the role ${role}, which does not exist on ${where}, and ${me.name} may not create roles. ` +
        `Fix: as an administrator run CREATE ROLE ${role} LOGIN PASSWORD '…', restart the app (it grants SELECT on the dim_*, fact_* and gold_* tables), ` +
        `and set postgresReaderPassword to that password`,
    );
  let login = await tryLogin(config);
  if (!login.ok && login.code === '28P01' && me.mayAlterRoles) {
    // The role exists but has another (or no) password: this app may set it.
    try {
      await writer.query(`ALTER ROLE ${pgIdent(role)} PASSWORD '${scramVerifier(password)}'`);
      login = await tryLogin(config);
    } catch (err) {
      return refuse(`cannot give ${role} its password on ${where}: ${(err as Error).message}`);
    }
  }
  if (!login.ok) {
    const reason = maskUrlPassword(maskUrlPassword(login.message, url.href), opts.url);
    return refuse(
      `cannot log in to ${where} as ${role}, the role the warehouse editor runs queries as (${reason}). ` +
        (login.code === '28P01'
          ? `Fix: set postgresReaderPassword to its password${me.mayAlterRoles ? '' : `, or let an administrator give it one (${me.name} may not)`}`
          : `Fix: let ${role} log in to this database (pg_hba.conf, CONNECT privilege)`),
    );
  }
  const problems = await readerProblems(login.client, role);
  await login.client.end().catch(() => undefined);
  if (problems.length)
    return refuse(
      `${role} can do more than read, so the warehouse editor will not run queries as it: ${problems.join('; ')}`,
    );
  const pool = new pg.Pool({ ...config, max: READER_POOL_MAX, idleTimeoutMillis: 30_000 });
  pool.on('error', () => undefined);
  return { ok: true, pool, config };
}

function refuse(problem: string): ReaderLogin {
  return { ok: false, problem };
}

export function readerUnavailable(problem: string): PulseError {
  return new PulseError('config_invalid', problem, { field: 'postgresReaderPassword' });
}

async function writerRights(writer: pg.Client): Promise<{ name: string; mayAlterRoles: boolean }> {
  const r = await writer.query<{ name: string; may: boolean }>(
    `SELECT current_user AS name, rolsuper OR rolcreaterole AS may FROM pg_roles WHERE rolname = current_user`,
  );
  return { name: r.rows[0]?.name ?? 'the configured user', mayAlterRoles: r.rows[0]?.may ?? false };
}

type Login = { ok: true; client: pg.Client } | { ok: false; code: string; message: string };

async function tryLogin(config: pg.ClientConfig): Promise<Login> {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  try {
    await client.connect();
    return { ok: true, client };
  } catch (err) {
    await client.end().catch(() => undefined);
    const e = err as { code?: string; message?: string };
    return { ok: false, code: e.code ?? '', message: e.message ?? String(err) };
  }
}

/** What the reader may do beyond reading, each with its fix; empty when it can only read. */
async function readerProblems(reader: pg.Client, role: string): Promise<string[]> {
  const r = await reader.query<{ attrs: string[]; member_of: string[]; writable: string[] }>(
    `SELECT
       array_remove(ARRAY[
         CASE WHEN r.rolsuper THEN 'SUPERUSER' END, CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END,
         CASE WHEN r.rolcreatedb THEN 'CREATEDB' END, CASE WHEN r.rolreplication THEN 'REPLICATION' END,
         CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END], NULL) AS attrs,
       ARRAY(SELECT b.rolname::text FROM pg_roles b
             WHERE b.rolname = ANY($1) AND pg_has_role(current_user, b.oid, 'MEMBER')) AS member_of,
       ARRAY(SELECT c.relname::text FROM pg_class c
             WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
               AND (has_table_privilege(c.oid, 'INSERT') OR has_table_privilege(c.oid, 'UPDATE')
                    OR has_table_privilege(c.oid, 'DELETE') OR has_table_privilege(c.oid, 'TRUNCATE'))
             ORDER BY 1) AS writable
     FROM pg_roles r WHERE r.rolname = current_user`,
    [DANGEROUS_MEMBERSHIPS],
  );
  const row = r.rows[0];
  if (row.attrs.includes('SUPERUSER')) return [`it is a superuser (fix: ALTER ROLE ${role} NOSUPERUSER)`];
  const problems: string[] = [];
  if (row.attrs.length)
    problems.push(
      `it has ${row.attrs.join(', ')} (fix: ALTER ROLE ${role} ${row.attrs.map((a) => `NO${a}`).join(' ')})`,
    );
  for (const group of row.member_of) problems.push(`it is a member of ${group} (fix: REVOKE ${group} FROM ${role})`);
  if (row.writable.length)
    problems.push(
      `it may write ${row.writable.join(', ')} (fix: REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ${row.writable.join(', ')} FROM ${role})`,
    );
  return problems;
}

function pgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
