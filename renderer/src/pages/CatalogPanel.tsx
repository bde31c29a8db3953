import { useEffect, useState } from 'react';
import type { CatalogPreview, TextFile } from '../../../engine/contract';
import { Grid } from '../components/Grid';
import { useAct, useCtx } from '../context';
import { useHostQuery } from '../hostQuery';

/** Web mode sends a call as one WebSocket frame (1 MiB): larger catalogs go through --catalog. */
const WEB_LIMIT = 900_000;
const when = (ms: number) => (ms ? new Date(ms).toLocaleString() : 'built in');
const count = (n: number) => n.toLocaleString('en-US');

/** The catalog in force and its history; a new one is checked (preview, problems) before it applies. */
export function CatalogPanel() {
  const { api } = useCtx();
  const act = useAct();
  const [files, setFiles] = useState<TextFile[] | null>(null);
  const [preview, setPreview] = useState<CatalogPreview | null>(null);
  const [note, setNote] = useState('');

  const catalog = useHostQuery((host) => host.call('catalog.get', {}), [], { source: 'catalog' });
  const view = catalog.data ?? null;
  const { refresh } = catalog;
  useEffect(() => api.on('catalog.changed', () => void refresh()), [api, refresh]);

  const choose = async (list: FileList | null) => {
    setPreview(null);
    setNote('');
    if (!list?.length) return;
    const chosen = await Promise.all([...list].map(async (f) => ({ name: f.name, text: await f.text() })));
    const size = chosen.reduce((n, f) => n + f.text.length, 0);
    if (!window.api && size > WEB_LIMIT) {
      setNote(`${count(size)} characters is more than the app sends in web mode: start with --catalog PATH instead.`);
      return;
    }
    setFiles(chosen);
    const p = await act(api.call('catalog.preview', { files: chosen }), 'catalog');
    if (p) setPreview(p);
  };
  const apply = async () => {
    if (!files) return;
    const v = await act(api.call('catalog.apply', { files }), 'catalog');
    if (v) {
      catalog.set(v);
      setPreview(null);
      setFiles(null);
      setNote(`Catalog ${v.version} is in force: the stream and the producer use it from now on.`);
    }
  };

  return (
    <section aria-label="Catalog">
      <h3>Catalog in force</h3>
      {view ? (
        <p>
          <strong>{view.version}</strong> — {count(view.stores)} stores, {count(view.products)} products, from{' '}
          {view.source}, since {when(view.appliedAt)}
        </p>
      ) : (
        <p className="muted">Loading…</p>
      )}
      <div className="toolbar">
        <label>
          Import a catalog (one .json, or stores.csv and products.csv){' '}
          <input
            type="file"
            multiple
            accept=".json,.csv,application/json,text/csv"
            aria-label="Catalog files"
            onChange={(e) => void choose(e.target.files)}
          />
        </label>
        <button onClick={() => void apply()} disabled={!preview?.ok || !preview.differs}>
          Apply catalog
        </button>
      </div>
      {note && (
        <p role="status" className="muted">
          {note}
        </p>
      )}
      {preview && <PreviewView preview={preview} />}
      {view && (
        <details>
          <summary>
            Stores, products and {view.history.length} version{view.history.length === 1 ? '' : 's'}
          </summary>
          <Grid
            label="Stores in force"
            result={{
              columns: ['store_id', 'name', 'city', 'region'],
              rows: view.storeRows.map((s) => [s.store_id, s.name, s.city, s.region]),
            }}
          />
          <Grid
            label="Products in force"
            result={{
              columns: ['product_id', 'name', 'category', 'list price'],
              rows: view.productRows.map((p) => [p.product_id, p.name, p.category, p.price]),
            }}
          />
          <Grid
            label="Catalog versions"
            result={{
              columns: ['version', 'in force since', 'source', 'stores', 'products'],
              rows: view.history.map((h) => [h.version, when(h.appliedAt), h.source, h.stores, h.products]),
            }}
          />
        </details>
      )}
    </section>
  );
}

function PreviewView({ preview }: { preview: CatalogPreview }) {
  if (!preview.ok)
    return (
      <div role="alert">
        <p>
          <strong>Refused: nothing is applied, the catalog in force stays.</strong> {preview.issues.length} problem
          {preview.issues.length === 1 ? '' : 's'}:
        </p>
        <Grid
          label="Catalog problems"
          result={{
            columns: ['file', 'row', 'field', 'problem'],
            rows: preview.issues.map((i) => [i.file, i.row, i.field, i.message]),
          }}
        />
      </div>
    );
  const { added, changed, removed } = preview.changes;
  return (
    <div aria-label="Catalog preview" role="region">
      <p>
        {count(preview.stores)} stores, {count(preview.products)} products.{' '}
        {preview.differs
          ? `${added.length} added, ${changed.length} changed, ${removed.length} removed against the catalog in force.`
          : 'The same as the catalog in force: nothing to apply.'}
        {preview.ignored.length > 0 && ` Ignored: ${preview.ignored.join(', ')}.`}
      </p>
      {preview.differs && (
        <Grid
          label="Catalog changes"
          result={{
            columns: ['change', 'what'],
            rows: [
              ...added.map((c) => ['added', c]),
              ...changed.map((c) => ['changed', c]),
              ...removed.map((c) => ['removed', c]),
            ],
          }}
        />
      )}
      <Grid
        label="Stores in the file"
        max={50}
        result={{
          columns: ['store_id', 'name', 'city', 'region'],
          rows: preview.storeRows.map((s) => [s.store_id, s.name, s.city, s.region]),
        }}
      />
      <Grid
        label="Products in the file"
        max={50}
        result={{
          columns: ['product_id', 'name', 'category', 'list price'],
          rows: preview.productRows.map((p) => [p.product_id, p.name, p.category, p.price]),
        }}
      />
    </div>
  );
}
