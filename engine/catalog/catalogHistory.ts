import fs from 'node:fs';
import { PulseError } from '../errors';
import type { Catalog } from '../model/catalog';
import type { Lake } from '../services/lake/port';

/**
 * Every catalog version ever in force, in the lake under reference/catalog/<version>.json (the
 * version starts with its UTC time, so keys sort by time). The lake is what every stream worker and
 * the ETL share, embedded (a folder in the data dir) or on S3, so they all see one history.
 */
export const CATALOG_PREFIX = 'reference/catalog/';

export function catalogKey(version: string): string {
  return `${CATALOG_PREFIX}${version}.json`;
}

/** Oldest first. */
export async function readCatalogHistory(lake: Lake): Promise<Catalog[]> {
  const keys = (await lake.list(CATALOG_PREFIX)).map((o) => o.key).filter((k) => k.endsWith('.json'));
  const out: Catalog[] = [];
  for (const key of keys) {
    const bytes = await lake.read(key);
    try {
      out.push(JSON.parse(Buffer.from(bytes).toString('utf8')) as Catalog);
    } catch (err) {
      throw new PulseError(
        'lake_io',
        `catalog version ${key} in ${lake.location} is not readable JSON: ${(err as Error).message}`,
      );
    }
  }
  return out.sort((a, b) => a.appliedAt - b.appliedAt);
}

/** Writes one version (durable when it resolves). */
export async function appendCatalogVersion(lake: Lake, c: Catalog): Promise<void> {
  const scratch = lake.scratchPath(`catalog-${c.version}.json`);
  fs.writeFileSync(scratch, `${JSON.stringify(c, null, 1)}\n`);
  await lake.put(catalogKey(c.version), scratch);
}
