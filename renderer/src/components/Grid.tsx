import type { QueryResult } from '../../../engine/contract';
import { useTimeFormat } from '../context';
import { formatNumber } from '../format';
import { columnKinds, formatCell, isRightAligned } from './columns';

/**
 * A results grid: sticky header, money (EGP) and numbers right-aligned with separators, times in
 * the app's zone (said in the caption when there are any), at most `max` rows drawn.
 */
export function Grid({
  result,
  label,
  max = 1000,
  money,
}: {
  result: QueryResult;
  label: string;
  max?: number;
  /** Columns holding EGP; when absent, guessed from the column names. */
  money?: readonly string[];
}) {
  const time = useTimeFormat();
  const kinds = columnKinds(result, money);
  const first = result.offset ?? 0;
  const shown = Math.min(result.rows.length, max);
  return (
    <div className="grid-wrap" tabIndex={0} role="region" aria-label={label}>
      <table className="grid" aria-label={label}>
        <thead>
          <tr>
            {result.columns.map((c, j) => (
              <th key={`${c}-${j}`} scope="col" className={isRightAligned(kinds[j]) ? 'num' : undefined}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.slice(0, max).map((row, i) => (
            <tr key={i}>
              {row.map((v, j) => (
                <td key={j} className={isRightAligned(kinds[j]) ? 'num' : undefined}>
                  {formatCell(v, kinds[j], time.zone)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        {result.offset !== undefined || result.more
          ? `rows ${formatNumber(first + (shown ? 1 : 0))}–${formatNumber(first + shown)}${result.more ? ', more follow' : ''}`
          : `${formatNumber(result.rows.length)} row${result.rows.length === 1 ? '' : 's'}`}
        {result.rows.length > max ? ` (first ${formatNumber(max)} shown)` : ''}
        {kinds.includes('timestamp') ? ` · times in ${time.label}` : ''}
      </p>
    </div>
  );
}
