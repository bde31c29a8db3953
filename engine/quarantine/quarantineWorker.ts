import type { DuckDBConnection } from '@duckdb/node-api';
import type { QuarantineListing, QuarantineQuery } from '../contract';
import type { CatalogIndex } from '../model/catalog';
import { lakeOnlyIds } from '../dedupe/lakeOnlyIds';
import type { IdIndex } from '../dedupe/idIndex';
import { openDuck } from '../services/lake/duck';
import type { Lake } from '../services/lake/port';
import type { MetricsBatch } from '../services/metrics/port';
import { LakeWriter } from '../stages/stream/lakeWriter';
import type { ReplayResult } from '../contract';
import { listQuarantine } from './quarantineList';
import { replayQuarantine, type ReplayIds } from './replay';

export interface QuarantineApi {
  list(filter: QuarantineQuery, limit?: number): Promise<QuarantineListing>;
  replay(
    filter: QuarantineQuery,
    catalog: CatalogIndex,
  ): Promise<{ result: ReplayResult; metrics: MetricsBatch | null }>;
}

/**
 * Listing and replay in a worker thread, on a DuckDB connection of their own. `ids`: the stream's
 * index when the stream runs in this worker, else silver alone. One operation at a time.
 */
export function quarantineApi(lake: Lake, ids: IdIndex | null): QuarantineApi {
  let duck: Promise<DuckDBConnection> | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  let own: ReplayIds | null = null;
  const serial = <T>(work: (d: DuckDBConnection) => Promise<T>): Promise<T> => {
    duck ??= openDuck({ threads: 1 });
    const run = chain.then(async () => work(await duck!));
    chain = run.catch(() => undefined);
    return run;
  };
  return {
    list: (filter, limit) => serial((d) => listQuarantine(lake, d, filter, limit)),
    replay: (filter, catalog) =>
      serial(async (d) =>
        replayQuarantine(
          {
            lake,
            duck: d,
            writer: await LakeWriter.create(d, lake),
            catalog,
            ids: ids ?? (own ??= lakeOnlyIds(lake, await openDuck({ threads: 1 }))),
          },
          filter,
        ),
      ),
  };
}
