import fs from 'node:fs';
import path from 'node:path';
import type { ChartSpec, QueryPreset } from './contract';
import { PulseError } from './errors';
import { projectFile } from './util/projectFile';

/** sql/queries beside the sources, or up from a bundle in out/main/(chunks/). */
export const QUERIES_DIR = projectFile('sql/queries');

/*
 * A preset is one .sql file whose header says what it is and how to show it:
 *   -- Top 10 products by revenue                 the title (first line)
 *   -- chart: bar x=product_name y=revenue        type (bar|line), x column, y column(s), optional series=
 *   -- money: revenue                             columns holding EGP
 * The header lines are not part of the SQL that runs.
 */

const HEADER = /^--\s*(chart|money):\s*(.*)$/;

export function parseChart(text: string, file: string): ChartSpec {
  const [type, ...pairs] = text.trim().split(/\s+/);
  const fields = Object.fromEntries(pairs.map((p) => p.split('=', 2) as [string, string]));
  if ((type !== 'bar' && type !== 'line') || !fields.x || !fields.y)
    throw new PulseError(
      'config_invalid',
      `${file}: "-- chart:" needs bar|line x=<column> y=<column>[,…], got "${text}"`,
    );
  const spec: ChartSpec = { type, x: fields.x, y: fields.y.split(',').filter(Boolean) };
  if (fields.series) spec.series = fields.series;
  return spec;
}

export function parsePreset(file: string, text: string): QueryPreset {
  const lines = text.split(/\r?\n/);
  const title = /^--\s*(.+)$/.exec(lines[0] ?? '')?.[1].trim() ?? file;
  const preset: QueryPreset = { id: file.replace(/^\d+_/, '').replace(/\.sql$/, ''), title, sql: '' };
  let body = title === file ? 0 : 1;
  for (; body < lines.length; body++) {
    const m = HEADER.exec(lines[body]);
    if (!m) break;
    if (m[1] === 'chart') preset.chart = parseChart(m[2], file);
    else
      preset.money = m[2]
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean);
  }
  preset.sql = lines.slice(body).join('\n').trim();
  return preset;
}

export function readPresets(dir = QUERIES_DIR): QueryPreset[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parsePreset(f, fs.readFileSync(path.join(dir, f), 'utf8')));
}
