import { useCallback, useMemo } from 'react';
import type { ChartSpec, QueryResult } from '../../../engine/contract';
import { formatMoney, formatNumber, isNumeric } from '../format';
import { Chart, setPoints, type ChartInstance } from './Chart';
import { baseOption, categoryAxis, valueAxis } from './chartStyle';
import { columnKinds } from './columns';

/** Bars (or line points) drawn at most: more would be unreadable. */
export const MAX_CATEGORIES = 40;

export interface ChartData {
  categories: string[];
  series: { name: string; data: (number | null)[] }[];
  /** Rows of the result the chart shows (the first ones). */
  rowsShown: number;
}

/** The columns a chart can plot as values: numeric, and not codes such as ids. */
export function valueColumns(result: QueryResult): string[] {
  const kinds = columnKinds(result);
  return result.columns.filter((_, i) => kinds[i] === 'money' || kinds[i] === 'number');
}

/**
 * What to chart when nobody said: the first text column against the first numeric one. Presets
 * say (their header's `-- chart:`), and the user can pick other columns.
 */
export function defaultChart(result: QueryResult): ChartSpec | null {
  const values = valueColumns(result);
  if (result.rows.length === 0 || values.length === 0) return null;
  const kinds = columnKinds(result);
  const x = result.columns.find((c, i) => kinds[i] !== 'money' && kinds[i] !== 'number') ?? result.columns[0];
  const y = values.find((c) => c !== x);
  return y ? { type: 'bar', x, y: [y] } : null;
}

/** The series of a spec over a result's first rows; with `series`, one series per value of that column. */
export function chartData(result: QueryResult, spec: ChartSpec): ChartData | null {
  const col = (name: string) => result.columns.indexOf(name);
  const xi = col(spec.x);
  const yi = spec.y.map(col);
  if (xi < 0 || yi.some((i) => i < 0)) return null;
  const num = (v: unknown) => (isNumeric(v) ? Number(v) : null);
  const label = (v: unknown) => (v === null || v === undefined ? '∅' : String(v));
  if (!spec.series) {
    const rows = result.rows.slice(0, MAX_CATEGORIES);
    return {
      categories: rows.map((r) => label(r[xi])),
      series: spec.y.map((name, k) => ({ name, data: rows.map((r) => num(r[yi[k]])) })),
      rowsShown: rows.length,
    };
  }
  const si = col(spec.series);
  if (si < 0) return null;
  const categories: string[] = [];
  const cells = new Map<string, Map<string, number | null>>();
  let rowsShown = 0;
  for (const r of result.rows) {
    const x = label(r[xi]);
    if (!categories.includes(x)) {
      if (categories.length === MAX_CATEGORIES) break;
      categories.push(x);
    }
    const s = label(r[si]);
    if (!cells.has(s)) cells.set(s, new Map());
    cells.get(s)!.set(x, num(r[yi[0]]));
    rowsShown++;
  }
  return {
    categories,
    series: [...cells.entries()].map(([name, byX]) => ({ name, data: categories.map((c) => byX.get(c) ?? null) })),
    rowsShown,
  };
}

/** The chart of a result, with what it plots in its name and a word when it shows only part of the rows. */
export function ResultChart({
  result,
  spec,
  money,
}: {
  result: QueryResult;
  spec: ChartSpec;
  money?: readonly string[];
}) {
  const data = useMemo(() => chartData(result, spec), [result, spec]);
  const kinds = columnKinds(result, money);
  const isMoney = spec.y.every((y) => kinds[result.columns.indexOf(y)] === 'money');
  const attach = useCallback(
    (chart: ChartInstance, el: HTMLElement) => {
      if (!data) return () => undefined;
      const stacked = spec.series !== undefined && spec.type === 'bar';
      chart.setOption(
        baseOption({
          grid: { left: 72, right: 20, top: data.series.length > 1 ? 56 : 24, bottom: 72 },
          legend: data.series.length > 1 ? { type: 'scroll', top: 0 } : undefined,
          xAxis: categoryAxis(data.categories, {
            name: spec.x,
            nameLocation: 'middle',
            nameGap: 56,
            axisLabel: { rotate: data.categories.length > 8 ? 30 : 0, width: 120, overflow: 'truncate' },
          }),
          yAxis: valueAxis(isMoney ? `${spec.y.join(', ')} (EGP)` : spec.y.join(', '), { nameGap: 52 }),
          tooltip: {
            trigger: 'axis',
            valueFormatter: (v: number) => (isMoney ? formatMoney(v) : formatNumber(v)),
          },
          series: data.series.map((s) => ({
            name: s.name,
            type: spec.type,
            data: s.data,
            ...(stacked ? { stack: 'all' } : {}),
            ...(spec.type === 'line' ? { showSymbol: data.categories.length < 40 } : {}),
          })),
        }),
      );
      setPoints(
        el,
        data.series.reduce((n, s) => n + s.data.length, 0),
      );
      return () => undefined;
    },
    [data, spec, isMoney],
  );
  if (!data) return <p className="muted">The chart's columns are not in this result.</p>;
  const partial = data.rowsShown < result.rows.length || result.more || (result.offset ?? 0) > 0;
  return (
    <figure className="result-chart">
      <Chart
        key={`${spec.type}-${spec.x}-${spec.y.join()}-${spec.series ?? ''}`}
        label={`Chart of ${spec.y.join(', ')} by ${spec.x}${spec.series ? ` and ${spec.series}` : ''}`}
        attach={attach}
        height={300}
      />
      {partial && (
        <figcaption className="muted" role="note">
          The chart shows {formatNumber(data.rowsShown)} of the {formatNumber(result.rows.length)} rows on this page
          {result.more ? ' (more rows follow on the next pages)' : ''}
          {(result.offset ?? 0) > 0 ? `, from row ${formatNumber((result.offset ?? 0) + 1)}` : ''}.
        </figcaption>
      )}
    </figure>
  );
}

/** The user's choice of chart for a result: type, x, y and an optional series column. */
export function ChartPicker({
  result,
  spec,
  onChange,
}: {
  result: QueryResult;
  spec: ChartSpec | null;
  onChange: (spec: ChartSpec | null) => void;
}) {
  const values = valueColumns(result);
  const fallback = spec ?? defaultChart(result);
  if (values.length === 0) return null;
  const set = (patch: Partial<ChartSpec>) => {
    const base = fallback ?? { type: 'bar' as const, x: result.columns[0], y: [values[0]] };
    onChange({ ...base, ...patch });
  };
  return (
    <div className="toolbar chart-picker" role="group" aria-label="Chart columns">
      <label>
        Chart{' '}
        <select
          value={spec?.type ?? 'none'}
          onChange={(e) =>
            e.target.value === 'none' ? onChange(null) : set({ type: e.target.value as ChartSpec['type'] })
          }
        >
          <option value="none">none</option>
          <option value="bar">bar</option>
          <option value="line">line</option>
        </select>
      </label>
      {spec && (
        <>
          <label>
            x{' '}
            <select aria-label="Chart x column" value={spec.x} onChange={(e) => set({ x: e.target.value })}>
              {result.columns.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <label>
            y{' '}
            <select aria-label="Chart y column" value={spec.y[0]} onChange={(e) => set({ y: [e.target.value] })}>
              {values.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <label>
            series{' '}
            <select
              aria-label="Chart series column"
              value={spec.series ?? ''}
              onChange={(e) => set({ series: e.target.value || undefined })}
            >
              <option value="">none</option>
              {result.columns
                .filter((c) => c !== spec.x && !values.includes(c))
                .map((c) => (
                  <option key={c}>{c}</option>
                ))}
            </select>
          </label>
        </>
      )}
    </div>
  );
}
