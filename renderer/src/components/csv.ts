import type { QueryResult } from '../../../engine/contract';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** RFC 4180 CSV of a result, header first. */
export function toCsv(r: QueryResult): string {
  return [r.columns.map(cell).join(','), ...r.rows.map((row) => row.map(cell).join(','))].join('\r\n') + '\r\n';
}

export function downloadCsv(r: QueryResult, name: string): void {
  const url = URL.createObjectURL(new Blob([toCsv(r)], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The first text-like column and the first numeric one: what a quick chart of a result plots. */
export function chartColumns(r: QueryResult): { label: number; value: number } | null {
  if (r.rows.length === 0) return null;
  const numeric = r.columns.map((_, i) =>
    r.rows.every(
      (row) =>
        row[i] === null ||
        typeof row[i] === 'number' ||
        (typeof row[i] === 'string' && row[i] !== '' && !Number.isNaN(Number(row[i]))),
    ),
  );
  const value = numeric.findIndex((n, i) => n && i > 0);
  if (value < 0) return null;
  const label = numeric.findIndex((n) => !n);
  return { label: label < 0 ? 0 : label, value };
}
