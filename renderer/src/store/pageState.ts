import type { ChartSpec, LakeListing, LakePreview, QueryPreset, QueryResult } from '../../../engine/contract';

/** The Warehouse page's state, kept in the store so results and the editor survive navigation. */
export interface WarehousePageState {
  presets: QueryPreset[];
  sql: string;
  /** The SQL the result came from (the editor may have changed since), and its page. */
  ran: { sql: string; label: string; money?: string[]; offset: number } | null;
  result: QueryResult | null;
  elapsedMs: number | null;
  /** The last query was stopped by Cancel (no result, and not an error). */
  cancelled: boolean;
  /** The running query's id, for warehouse.cancel. */
  running: string | null;
  /** The chart of the result: the preset's, or the columns the user picked; null hides it. */
  chart: ChartSpec | null;
}

export const PAGE_SIZE = 1000;

export function initialWarehouse(): WarehousePageState {
  return {
    presets: [],
    sql: 'SELECT count(*) AS fact_rows, round(sum(line_amount), 2) AS revenue FROM fact_sales',
    ran: null,
    result: null,
    elapsedMs: null,
    cancelled: false,
    running: null,
    chart: null,
  };
}

export type LakeTab = 'files' | 'quarantine' | 'sql' | 'compaction';

/** The Lake page's state: the layer and folder open, the tree's open folders, the preview, the SQL. */
export interface LakePageState {
  tab: LakeTab;
  layer: string;
  /** Sub-folders of each listed prefix (the partition tree), and which are open. */
  children: Record<string, string[]>;
  open: string[];
  folder: string;
  listing: LakeListing | null;
  preview: LakePreview | null;
  sql: string;
  result: QueryResult | null;
  busy: boolean;
}

export function initialLake(): LakePageState {
  return {
    tab: 'files',
    layer: 'silver/sales_lines/',
    children: {},
    open: [],
    folder: '',
    listing: null,
    preview: null,
    sql: 'SELECT city, category, round(sum(line_amount), 2) AS revenue FROM silver GROUP BY ALL ORDER BY revenue DESC LIMIT 20',
    result: null,
    busy: false,
  };
}
