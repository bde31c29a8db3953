import type { QueryResult } from '../../../engine/contract';

function show(v: unknown): string {
  if (v === null || v === undefined) return '∅';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** A results grid: sticky header, at most `max` rows drawn. */
export function Grid({ result, label, max = 500 }: { result: QueryResult; label: string; max?: number }) {
  return (
    <div className="grid-wrap" tabIndex={0} role="region" aria-label={label}>
      <table className="grid" aria-label={label}>
        <thead>
          <tr>
            {result.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.slice(0, max).map((row, i) => (
            <tr key={i}>
              {row.map((v, j) => (
                <td key={j} className={typeof v === 'number' ? 'num' : undefined}>
                  {show(v)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        {result.rows.length} row{result.rows.length === 1 ? '' : 's'}
        {result.rows.length > max ? ` (first ${max} shown)` : ''}
      </p>
    </div>
  );
}
