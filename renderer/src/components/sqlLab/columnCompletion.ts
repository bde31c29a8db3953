import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import type { WarehouseSchema } from '../../../../engine/contract';

/*
 * lang-sql completes table names, and columns after "table." or "alias."; this adds bare column
 * names, as a user types them in a SELECT list or a WHERE: the columns of the tables the statement
 * names in FROM or JOIN (every readable column when it names none yet), each with its table and type.
 */

const TABLE_REF = /\b(?:from|join)\s+(?:"?([A-Za-z_][\w$]*)"?\s*\.\s*)?"?([A-Za-z_][\w$]*)"?/gi;

/** The statement around `pos`: from the semicolon before it to the one after. */
function statementAt(doc: string, pos: number): string {
  const start = doc.lastIndexOf(';', pos - 1) + 1;
  const end = doc.indexOf(';', pos);
  return doc.slice(start, end < 0 ? doc.length : end);
}

export function referencedTables(statement: string): { schema: string | null; name: string }[] {
  return [...statement.matchAll(TABLE_REF)].map((m) => ({ schema: m[1] ?? null, name: m[2] }));
}

export function columnCompletions(schema: WarehouseSchema | null): (ctx: CompletionContext) => CompletionResult | null {
  return (ctx) => {
    if (!schema) return null;
    const word = ctx.matchBefore(/[A-Za-z_][\w$]*/);
    // After a dot lang-sql completes the table's (or alias's) columns itself.
    const from = word?.from ?? ctx.pos;
    if (from > 0 && ctx.state.sliceDoc(from - 1, from) === '.') return null;
    if (!word && !ctx.explicit) return null;
    const refs = referencedTables(statementAt(ctx.state.doc.toString(), ctx.pos));
    const named = schema.tables.filter((t) =>
      refs.some((r) => r.name.toLowerCase() === t.name.toLowerCase() && (r.schema === null || r.schema === t.schema)),
    );
    const tables = named.length ? named : schema.tables;
    const seen = new Map<string, Completion>();
    for (const t of tables)
      for (const c of t.columns) {
        const known = seen.get(c.name);
        if (known) known.detail = `${known.detail?.split(' · ')[0]}, ${t.name} · ${c.type}`;
        else
          seen.set(c.name, {
            label: c.name,
            type: 'property',
            detail: `${t.name} · ${c.type}`,
            boost: named.length ? 2 : 0,
          });
      }
    return { from, options: [...seen.values()], validFor: /^[\w$]*$/ };
  };
}
