import fs from 'node:fs';
import path from 'node:path';
import type { CatalogPreview, CatalogVersionInfo, CatalogView, TextFile } from '../contract';
import { PulseError } from '../errors';
import { BUILTIN_CATALOG, catalogHash, catalogVersion, type Catalog, type CatalogData } from '../model/catalog';
import type { Lake } from '../services/lake/port';
import { writeFileAtomic } from '../util/fsx';
import { appendCatalogVersion, readCatalogHistory } from './catalogHistory';
import { catalogChanges } from './catalogDiff';
import { checkedCatalog, parseCatalog } from './catalogParse';

/** At most this many rows of each table go to the UI (a preview, not an export). */
const ROWS_SHOWN = 500;
const MAX_FILES_BYTES = 64 << 20;

/**
 * The Host's catalog in force: read from the lake's history at start (the built-in chain when there
 * is none), replaced by `--catalog` or an import in the app. A change is written to the lake first
 * (every worker and the ETL read it there), then to `<data dir>/catalog.json`, then announced to
 * listeners (the Host pushes it to the stream and producer workers and to the warehouse dims).
 */
export class CatalogService {
  private history: Catalog[] = [];
  private readonly listeners = new Set<(c: Catalog) => void>();
  private applying: Promise<unknown> = Promise.resolve();
  /** Resolves with the catalog in force once the history is read. */
  readonly ready: Promise<Catalog>;

  private lakeOpen: Promise<Lake> | null = null;

  constructor(
    private readonly openLake: () => Promise<Lake>,
    private readonly dataDir: string,
    requested: { data: CatalogData; source: string } | null,
  ) {
    this.ready = this.init(requested);
    this.ready.catch(() => undefined);
  }

  private lake(): Promise<Lake> {
    this.lakeOpen ??= this.openLake().catch((err: unknown) => {
      this.lakeOpen = null;
      throw err;
    });
    return this.lakeOpen;
  }

  /** The Host switched lakes: take that lake's history, or give it the catalog in force when it has none. */
  async adoptLake(): Promise<void> {
    this.lakeOpen = null;
    const current = await this.ready;
    const history = await readCatalogHistory(await this.lake());
    if (history.length) {
      this.history = history;
      if (history.at(-1)!.version !== current.version) for (const l of this.listeners) l(this.current());
    } else await appendCatalogVersion(await this.lake(), current);
  }

  private async init(requested: { data: CatalogData; source: string } | null): Promise<Catalog> {
    this.history = await readCatalogHistory(await this.lake());
    if (requested) await this.applyData(requested.data, requested.source);
    else if (!this.history.length) await this.applyData(BUILTIN_CATALOG, 'built-in');
    else this.writeLocalCopy(this.current());
    return this.current();
  }

  current(): Catalog {
    const c = this.history.at(-1);
    if (!c) throw new PulseError('stage_state', 'the catalog is not loaded yet');
    return c;
  }

  versions(): readonly Catalog[] {
    return this.history;
  }

  onChange(listener: (c: Catalog) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async view(): Promise<CatalogView> {
    await this.ready;
    const c = this.current();
    return {
      ...info(c),
      storeRows: c.stores
        .slice(0, ROWS_SHOWN)
        .map(({ store_id, name, city, region }) => ({ store_id, name, city, region })),
      productRows: c.products.slice(0, ROWS_SHOWN).map(productRow),
      history: [...this.history].reverse().map(info),
    };
  }

  /** What `files` would change; nothing is applied. */
  async preview(files: unknown): Promise<CatalogPreview> {
    const parsed = parseCatalog(textFiles(files));
    const current = await this.ready.then(() => this.current());
    const data = parsed.data;
    return {
      ok: data !== null,
      issues: parsed.issues,
      ignored: parsed.ignored,
      stores: data?.stores.length ?? 0,
      products: data?.products.length ?? 0,
      changes: data ? catalogChanges(current, data) : { added: [], changed: [], removed: [] },
      differs: data !== null && catalogHash(data) !== current.hash,
      storeRows: (data?.stores ?? [])
        .slice(0, ROWS_SHOWN)
        .map(({ store_id, name, city, region }) => ({ store_id, name, city, region })),
      productRows: (data?.products ?? []).slice(0, ROWS_SHOWN).map(productRow),
    };
  }

  /** Checks and applies; refused with the problems named, and then the catalog in force stays. */
  async applyFiles(files: unknown, source: string): Promise<Catalog> {
    const list = textFiles(files);
    const names = list.map((f) => path.basename(f.name)).join(' + ');
    const data = checkedCatalog(list, names);
    await this.ready;
    return this.applyData(data, `${source}: ${names}`);
  }

  /** A new version unless `data` is the catalog in force already; one change at a time. */
  applyData(data: CatalogData, source: string): Promise<Catalog> {
    const run = this.applying.then(async () => {
      const current = this.history.at(-1);
      if (current && current.hash === catalogHash(data)) return current;
      // Strictly after the version in force, even when the clock is behind it (its time orders the history).
      const at = Math.max(Date.now(), (current?.appliedAt ?? 0) + 1000);
      const next = catalogVersion(data, source, at);
      await appendCatalogVersion(await this.lake(), next);
      this.history.push(next);
      this.writeLocalCopy(next);
      for (const l of this.listeners) l(next);
      return next;
    });
    this.applying = run.catch(() => undefined);
    return run;
  }

  /** `<data dir>/catalog.json`: the catalog this engine has in force, for a person or a script to read. */
  private writeLocalCopy(c: Catalog): void {
    fs.mkdirSync(this.dataDir, { recursive: true });
    writeFileAtomic(path.join(this.dataDir, 'catalog.json'), `${JSON.stringify(c, null, 1)}\n`);
  }
}

export function info(c: Catalog): CatalogVersionInfo {
  return {
    version: c.version,
    appliedAt: c.appliedAt,
    source: c.source,
    stores: c.stores.length,
    products: c.products.length,
  };
}

function productRow(p: CatalogData['products'][number]) {
  return { product_id: p.product_id, name: p.name, category: p.category, price: p.price ?? null };
}

/** The request's files, checked: a list of {name, text}, not too big. */
function textFiles(v: unknown): TextFile[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new PulseError('config_invalid', 'choose a catalog: one JSON file, or stores.csv and products.csv', {
      field: 'files',
    });
  let bytes = 0;
  return v.map((f, i) => {
    const o = f as Partial<TextFile> | null;
    if (typeof o?.name !== 'string' || typeof o.text !== 'string')
      throw new PulseError('config_invalid', `files[${i}] must be {name, text}`, { field: 'files' });
    bytes += o.text.length;
    if (bytes > MAX_FILES_BYTES)
      throw new PulseError('config_invalid', 'the catalog files are larger than 64 MiB', { field: 'files' });
    return { name: o.name, text: o.text };
  });
}
