import type { QueryResult } from '../../../engine/contract';
import { formatDateTime, formatMoney, formatNumber, isNumeric, TIMESTAMP_TEXT } from '../format';

/** How a result column is shown: money and numbers right-aligned with separators, codes without, times in the zone. */
export type ColumnKind = 'money' | 'number' | 'code' | 'timestamp' | 'text';

/** Names that hold money when a query does not say (a preset's header does: `-- money: …`). */
const MONEY_NAME = /(revenue|spend|amount|price|total|sales|basket_value|avg_basket|egp)/i;
/** Numbers that are names, not quantities: no thousands separators. */
const CODE_NAME = /(^id$|_id$|^hour$|^year$|^month$|partition|offset|_key$|^line_no$|^run_id$)/i;

export function columnKinds(r: Pick<QueryResult, 'columns' | 'rows'>, money?: readonly string[]): ColumnKind[] {
  return r.columns.map((name, i) => {
    const values = r.rows.map((row) => row[i]).filter((v) => v !== null && v !== undefined);
    if (values.length === 0) return 'text';
    if (values.every(isNumeric)) {
      if (money ? money.includes(name) : MONEY_NAME.test(name)) return 'money';
      return CODE_NAME.test(name) ? 'code' : 'number';
    }
    if (values.every((v) => typeof v === 'string' && TIMESTAMP_TEXT.test(v))) return 'timestamp';
    return 'text';
  });
}

export function isRightAligned(kind: ColumnKind): boolean {
  return kind === 'money' || kind === 'number' || kind === 'code';
}

export function formatCell(v: unknown, kind: ColumnKind, zone: string): string {
  if (v === null || v === undefined) return '∅';
  switch (kind) {
    case 'money':
      return formatMoney(v as number | string);
    case 'number':
      return formatNumber(v as number | string);
    case 'code':
      return String(v);
    case 'timestamp':
      return formatDateTime(v as string, zone);
    default:
      // A timestamp in a mixed column (a file's min/max) is still shown in the zone.
      if (typeof v === 'string' && TIMESTAMP_TEXT.test(v)) return formatDateTime(v, zone);
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}
