import { parse } from 'libpg-query';
import { PulseError } from '../../errors';

/**
 * The gate in front of every query a user types into the warehouse editor, on PostgreSQL and
 * PGlite alike: the text is parsed with PostgreSQL's own grammar (libpg-query, the server's parser
 * compiled to WASM) and only one reading statement passes: SELECT, WITH … SELECT, VALUES, TABLE,
 * or EXPLAIN of one of those. Anything else is refused with its kind named. The reader role and
 * the read-only transaction behind it still apply: this is the first wall, not the only one.
 */

export const ALLOWED = 'SELECT, WITH … SELECT, VALUES, TABLE, or EXPLAIN of one of those';

/**
 * Functions refused anywhere in a statement: they change the session (set_config can switch the
 * role where the session user is a superuser, as in PGlite), hold locks past the query, reach files,
 * large objects or other servers, run SQL text of their own, or signal other backends.
 */
const REFUSED_FUNCTIONS = [
  /^set_config$/,
  /^pg_(try_)?advisory_/,
  /^lo_/,
  /^pg_read_(binary_)?file$/,
  /^pg_ls_/,
  /^pg_stat_file$/,
  /^pg_file_/,
  /^dblink/,
  /^(query|cursor|table|schema|database)_to_xml/,
  /^pg_(terminate|cancel)_backend$/,
  /^pg_(reload_conf|rotate_logfile|promote|switch_wal|create_restore_point|log_backend_memory_contexts)$/,
  /^pg_logical_emit_message$/,
  /^pg_stat_reset/,
  /^(nextval|setval)$/,
];

/** Throws a PulseError (field `sql`) unless `sql` is one reading statement. */
export async function checkReadingSql(sql: string): Promise<void> {
  if (sql.trim() === '') throw refused('there is no statement to run');
  let tree: { stmts?: { stmt?: unknown }[] };
  try {
    tree = await parse(sql);
  } catch (err) {
    // The parser's own message, as the server would give it (syntax error at or near "SELEC").
    throw refused((err as Error).message);
  }
  const stmts = (tree.stmts ?? []).map((s) => s.stmt as Named);
  if (stmts.length === 0) throw refused('there is no statement to run (only comments)');
  if (stmts.length > 1)
    throw refused(
      `${stmts.length} statements (${stmts.map(kindOf).join('; ')}): the editor runs one statement at a time`,
    );
  const [stmt] = stmts;
  const top = nameOf(stmt);
  const body = top === 'ExplainStmt' ? (stmt.ExplainStmt as { query?: Named }).query : stmt;
  if (!body || nameOf(body) !== 'SelectStmt') throw notAllowed(kindOf(stmt));
  walk(body, (name, node) => {
    if (name === 'InsertStmt' || name === 'UpdateStmt' || name === 'DeleteStmt' || name === 'MergeStmt')
      throw notAllowed(`a data-modifying WITH (${kindOf({ [name]: node })})`);
    if (name === 'SelectStmt' && (node as { intoClause?: unknown }).intoClause) throw notAllowed('SELECT INTO');
    if (name === 'SelectStmt' && (node as { lockingClause?: unknown[] }).lockingClause?.length)
      throw notAllowed('SELECT … FOR UPDATE/SHARE (it locks rows)');
    if (name === 'FuncCall') {
      const parts = ((node as { funcname?: { String?: { sval?: string } }[] }).funcname ?? []).map(
        (p) => p.String?.sval ?? '',
      );
      const fn = parts[parts.length - 1] ?? '';
      if (REFUSED_FUNCTIONS.some((re) => re.test(fn)))
        throw refused(
          `function ${parts.join('.')}() is not allowed in the warehouse editor: it changes the session or reaches outside the warehouse's tables`,
        );
    }
  });
}

type Named = Record<string, unknown>;

function nameOf(node: Named): string {
  return Object.keys(node)[0] ?? '';
}

/** Visits every node of a parse tree: `{ NodeName: {...} }` objects, in lists and fields alike. */
function walk(value: unknown, visit: (name: string, node: unknown) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, visit);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    if (/^[A-Z]/.test(key)) visit(key, v);
    walk(v, visit);
  }
}

const TRANSACTION_KINDS: Record<string, string> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE SAVEPOINT',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK TO SAVEPOINT',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

const SESSION_SETTINGS: Record<string, string> = {
  role: 'ROLE',
  session_authorization: 'SESSION AUTHORIZATION',
  transaction: 'TRANSACTION',
};

const PLAIN_KINDS: Record<string, string> = {
  IndexStmt: 'CREATE INDEX',
  ViewStmt: 'CREATE VIEW',
  CreatedbStmt: 'CREATE DATABASE',
  DropdbStmt: 'DROP DATABASE',
  RenameStmt: 'ALTER … RENAME',
  DeclareCursorStmt: 'DECLARE CURSOR',
  ClosePortalStmt: 'CLOSE',
  RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
  VariableShowStmt: 'SHOW',
  CheckPointStmt: 'CHECKPOINT',
  CreateExtensionStmt: 'CREATE EXTENSION',
  CreateFunctionStmt: 'CREATE FUNCTION',
  DoStmt: 'DO',
};

/** The statement's kind as SQL words: COPY … TO PROGRAM, SET ROLE, CREATE TEMP TABLE, EXPLAIN of DELETE. */
export function kindOf(stmt: Named): string {
  const name = nameOf(stmt);
  const node = (stmt[name] ?? {}) as Record<string, unknown>;
  switch (name) {
    case 'SelectStmt':
      return node.intoClause ? 'SELECT INTO' : node.valuesLists ? 'VALUES' : 'SELECT';
    case 'ExplainStmt':
      return `EXPLAIN of ${node.query ? kindOf(node.query as Named) : 'nothing'}`;
    case 'CopyStmt':
      return node.is_from
        ? 'COPY … FROM'
        : node.is_program
          ? 'COPY … TO PROGRAM'
          : node.filename
            ? 'COPY … TO a file'
            : 'COPY … TO STDOUT';
    case 'TransactionStmt':
      return TRANSACTION_KINDS[String(node.kind)] ?? 'a transaction command';
    case 'VariableSetStmt': {
      const setting = SESSION_SETTINGS[String(node.name)] ?? String(node.name ?? 'ALL');
      return `${node.kind === 'VAR_RESET' || node.kind === 'VAR_RESET_ALL' ? 'RESET' : 'SET'} ${setting}`;
    }
    case 'CreateStmt':
      return (node.relation as { relpersistence?: string } | undefined)?.relpersistence === 't'
        ? 'CREATE TEMP TABLE'
        : 'CREATE TABLE';
    case 'CreateTableAsStmt':
      return node.objtype === 'OBJECT_MATVIEW' ? 'CREATE MATERIALIZED VIEW' : 'CREATE TABLE AS';
    case 'GrantStmt':
      return node.is_grant ? 'GRANT' : 'REVOKE';
    case 'VacuumStmt':
      return node.is_vacuumcmd ? 'VACUUM' : 'ANALYZE';
    case 'DropStmt':
      return `DROP ${String(node.removeType ?? '')
        .replace(/^OBJECT_/, '')
        .replace(/_/g, ' ')}`.trim();
    default:
      return (
        PLAIN_KINDS[name] ??
        name
          .replace(/Stmt$/, '')
          .replace(/([a-z])([A-Z])/g, '$1 $2')
          .toUpperCase()
      );
  }
}

function refused(message: string): PulseError {
  return new PulseError('config_invalid', message, { field: 'sql' });
}

function notAllowed(kind: string): PulseError {
  return refused(`${kind} is not allowed: the warehouse editor runs one reading statement (${ALLOWED})`);
}
