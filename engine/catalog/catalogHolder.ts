import { indexCatalog, type Catalog, type CatalogIndex } from '../model/catalog';
import type { Lake } from '../services/lake/port';
import { CATALOG_PREFIX, readCatalogHistory } from './catalogHistory';

/**
 * A worker's catalog in force: set from the Host at start and on every change, and read from the
 * lake's history now and then, so a worker on another machine follows a change made elsewhere.
 * Only a newer version replaces the current one.
 */
export class CatalogHolder {
  private index: CatalogIndex;
  private appliedAt: number;
  private lastKey = '';

  constructor(initial: Catalog) {
    this.index = indexCatalog(initial);
    this.appliedAt = initial.appliedAt;
  }

  current(): CatalogIndex {
    return this.index;
  }

  set(c: Catalog): boolean {
    if (c.appliedAt <= this.appliedAt) return false;
    this.index = indexCatalog(c);
    this.appliedAt = c.appliedAt;
    return true;
  }

  /** Takes the lake's newest version if it is newer; one listing when nothing changed. */
  async refreshFrom(lake: Lake): Promise<boolean> {
    const keys = (await lake.list(CATALOG_PREFIX)).map((o) => o.key);
    const last = keys.at(-1) ?? '';
    if (last === this.lastKey) return false;
    this.lastKey = last;
    const newest = (await readCatalogHistory(lake)).at(-1);
    return newest ? this.set(newest) : false;
  }
}
