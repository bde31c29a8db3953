import type { CatalogVersionInfo, Commands, ErrorInfo } from '../contract';
import { toErrorInfo } from '../errors';
import type { Catalog, CatalogData } from '../model/catalog';
import type { Lake } from '../services/lake/port';
import type { WarehouseCalls } from '../services/warehouse/port';
import { CatalogService, info } from './catalogService';
import { loadCatalogPath } from './catalogParse';

/** The `--catalog` file, read and checked before anything starts: a wrong one stops the start with file, row and field named. */
export function requestedCatalog(path: string | undefined): { data: CatalogData; source: string } | null {
  return path ? { data: loadCatalogPath(path), source: path } : null;
}

export type CatalogCommand = 'catalog.get' | 'catalog.preview' | 'catalog.apply';

export interface CatalogDeps {
  dataDir: string;
  /** `--catalog` / `catalog` / RETAIL_PULSE_CATALOG, read and checked (requestedCatalog): applied at start when it differs from the one in force. */
  requested: { data: CatalogData; source: string } | null;
  lake: () => Promise<Lake>;
  /** The warehouse in force (infra.useDocker may replace it). */
  warehouse: () => WarehouseCalls;
  /** Pushes a new version to the running workers (stream, producer). */
  push: (c: Catalog) => Promise<void>;
  changed: (v: CatalogVersionInfo) => void;
  error: (e: ErrorInfo) => void;
}

/**
 * The Host's side of reference data: the catalog service, its contract commands, and what follows
 * a change: the workers get it at once, the warehouse dims get a new type 2 version.
 */
export class CatalogCommands {
  readonly service: CatalogService;

  constructor(private readonly deps: CatalogDeps) {
    this.service = new CatalogService(deps.lake, deps.dataDir, deps.requested);
    this.service.onChange((c) => {
      this.deps.changed(info(c));
      void this.deps.push(c).catch((e) => this.deps.error(toErrorInfo(e)));
      void this.syncWarehouse();
    });
    this.service.ready.catch((e) => this.deps.error(toErrorInfo(e)));
  }

  /** The catalog in force, once the history is read (stages wait for it before they start). */
  current(): Promise<Catalog> {
    return this.service.ready.then(() => this.service.current());
  }

  /** The Host moved to other services: the new lake gets the catalog in force (or has its own), the new warehouse its dims. */
  async servicesChanged(): Promise<void> {
    await this.service.adoptLake().catch((e) => this.deps.error(toErrorInfo(e)));
    await this.syncWarehouse();
  }

  /** The warehouse's dims follow the history; the ETL does the same before each load. */
  async syncWarehouse(): Promise<void> {
    try {
      await this.service.ready;
      await this.deps.warehouse().syncCatalog(this.service.versions());
    } catch (e) {
      this.deps.error(toErrorInfo(e));
    }
  }

  /** Display names of every store and product id any version had (the one in force wins), for the Live page. */
  names(): { stores: Record<string, string>; products: Record<string, string> } {
    const names = { stores: {} as Record<string, string>, products: {} as Record<string, string> };
    for (const c of this.service.versions()) {
      for (const s of c.stores) names.stores[String(s.store_id)] = s.name;
      for (const p of c.products) names.products[String(p.product_id)] = p.name;
    }
    return names;
  }

  handlers(): { [C in CatalogCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } {
    return {
      'catalog.get': () => this.service.view(),
      'catalog.preview': (q) => this.service.preview(q.files),
      'catalog.apply': async (q) => {
        await this.service.applyFiles(q.files, 'app import');
        return this.service.view();
      },
    };
  }
}
