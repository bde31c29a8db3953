import type { QueryResult, WarehouseSchema, WarehouseTable } from '../contract';

/*
 * What the editor completes and the schema browser lists: the tables and columns the reader role
 * may SELECT. It runs as an editor query (parsed, as the reader, on PGlite's snapshot or
 * PostgreSQL's reader login), so information_schema answers for the reader: the ETL's own tables
 * (load_manifest, etl_runs) are not in it, and neither is anything else the reader cannot read.
 */
export const SCHEMA_SQL = `SELECT c.table_schema, c.table_name, t.table_type, c.column_name, c.data_type, c.udt_name,
       c.numeric_precision, c.numeric_scale
FROM information_schema.columns c
JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')
  AND has_column_privilege(format('%I.%I', c.table_schema, c.table_name), c.column_name, 'SELECT')
ORDER BY c.table_schema, c.table_name, c.ordinal_position`;

/** Rows fetched at most: far more columns than a star schema has. */
export const SCHEMA_ROWS = 10_000;

function typeName(dataType: string, udt: string, precision: unknown, scale: unknown): string {
  if (dataType === 'numeric' && precision !== null && precision !== undefined)
    return `numeric(${String(precision)},${String(scale ?? 0)})`;
  // Arrays and enums say only "ARRAY" / "USER-DEFINED" here; their udt name says what they are.
  if (dataType === 'ARRAY' || dataType === 'USER-DEFINED') return udt;
  return dataType;
}

/** One table per (schema, name), its columns in their order. */
export function foldSchema(result: QueryResult, at = Date.now()): WarehouseSchema {
  const tables: WarehouseTable[] = [];
  let last: WarehouseTable | null = null;
  for (const [schema, name, tableType, column, dataType, udt, precision, scale] of result.rows) {
    if (!last || last.schema !== schema || last.name !== name) {
      last = {
        schema: String(schema),
        name: String(name),
        kind: tableType === 'VIEW' ? 'view' : 'table',
        columns: [],
      };
      tables.push(last);
    }
    last.columns.push({ name: String(column), type: typeName(String(dataType), String(udt), precision, scale) });
  }
  return { tables, at };
}
