import type { DuckDBConnection } from '@duckdb/node-api';
import { BUILTIN_INDEX, indexCatalog, type Catalog, type CatalogIndex } from '../model/catalog';
import { quarantineFiles, stateSql } from '../quarantine/quarantineState';
import { sqlList, sqlString } from '../services/lake/duck';
import type { Lake } from '../services/lake/port';
import { silverKeys } from '../dedupe/silverIds';

/**
 * The catalog each record was last judged with, so the summary can judge the log again the same
 * way: the stream judges with the catalog in force when it reads a record, a replay with the one in
 * force when it runs, and the lake records which (silver rows, quarantine records, the replay log).
 * Only versions that accept different stores or products than the one in force matter (a rename
 * changes no verdict): when there are none, every record is judged with the one in force.
 */
export async function recordedCatalogs(
  lake: Lake,
  duck: DuckDBConnection,
  history: readonly Catalog[],
): Promise<(partition: number, offset: number) => CatalogIndex> {
  const current = history.length ? indexCatalog(history.at(-1)!) : BUILTIN_INDEX;
  const accepts = (c: { stores: { store_id: number }[]; products: { product_id: number }[] }) =>
    `${c.stores.map((s) => s.store_id).sort((a, b) => a - b)}|${c.products.map((p) => p.product_id).sort((a, b) => a - b)}`;
  const now = accepts(
    history.at(-1) ?? { stores: [...current.stores.values()], products: [...current.products.values()] },
  );
  const differing = history.filter((c) => accepts(c) !== now);
  if (!differing.length) return () => current;
  const byVersion = new Map(differing.map((c) => [c.version, indexCatalog(c)]));
  // Silver and quarantine written before catalogs had versions: judged with the first one.
  const first = history[0];
  const names = [...byVersion.keys()].map(sqlString);
  const nullToo = byVersion.has(first.version);
  const wanted = `(catalog_version IN (${names.join(', ')})${nullToo ? ' OR catalog_version IS NULL' : ''})`;
  const parts: string[] = [];
  const silver = await silverKeys(lake);
  if (silver.length)
    parts.push(
      `SELECT DISTINCT source_partition, source_offset, catalog_version FROM read_parquet(${sqlList(await lake.localPaths(silver))}, union_by_name = true) WHERE ${wanted}`,
    );
  const state = await stateSql(duck, await quarantineFiles(lake));
  if (state)
    parts.push(
      `SELECT source_partition, source_offset, catalog_version FROM (${state}) WHERE state = 'open' AND ${wanted}`,
    );
  const judged = new Map<number, Map<number, CatalogIndex>>();
  if (parts.length) {
    const result = await duck.stream(parts.join(' UNION ALL '));
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (const [p, o, v] of chunk.getRows()) {
        let m = judged.get(Number(p));
        if (!m) judged.set(Number(p), (m = new Map()));
        m.set(Number(o), byVersion.get(v === null ? first.version : String(v)) ?? current);
      }
    }
  }
  return (p, o) => judged.get(p)?.get(o) ?? current;
}
