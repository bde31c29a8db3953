import { useEffect, useState, type KeyboardEvent } from 'react';
import type { LakeListing, LakePreview, QueryResult } from '../../../engine/contract';
import { Grid } from '../components/Grid';
import { useAct, useCtx } from '../context';
import { QuarantinePanel } from './QuarantinePanel';

const LAYERS: [string, string][] = [
  ['Bronze', 'bronze/sales_transactions/'],
  ['Silver', 'silver/sales_lines/'],
  ['Quarantine', 'quarantine/sales_transactions/'],
  ['Gold', 'gold/daily_sales/'],
];
const bytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KB` : `${(n / (1 << 20)).toFixed(1)} MB`;
const leaf = (prefix: string) => prefix.split('/').filter(Boolean).pop() ?? prefix;

/** One folder of the partition tree; children are listed when it is opened. */
function TreeNode({
  prefix,
  level,
  selected,
  onSelect,
}: {
  prefix: string;
  level: number;
  selected: string;
  onSelect: (p: string) => void;
}) {
  const { api } = useCtx();
  const act = useAct();
  const [open, setOpen] = useState(false);
  const [children, setChildren] = useState<string[] | null>(null);
  const toggle = () => {
    const next = !open;
    setOpen(next);
    onSelect(prefix);
    if (next && !children)
      void act(api.call('lake.list', { prefix }), 'lake').then((l) => setChildren(l?.prefixes ?? []));
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      toggle();
    }
  };
  return (
    <li role="treeitem" aria-expanded={open} aria-selected={selected === prefix} aria-level={level}>
      <span className="tree-label" tabIndex={0} onClick={toggle} onKeyDown={onKey}>
        {open ? '▾' : '▸'} {leaf(prefix)}
      </span>
      {open && children && children.length > 0 && (
        <ul role="group">
          {children.map((c) => (
            <TreeNode key={c} prefix={c} level={level + 1} selected={selected} onSelect={onSelect} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** Layers → partition tree → files → schema and first rows; quarantine; SQL over the lake. */
export function Lake() {
  const { api } = useCtx();
  const act = useAct();
  const [layer, setLayer] = useState(LAYERS[1][1]);
  const [top, setTop] = useState<string[]>([]);
  const [folder, setFolder] = useState<string>('');
  const [listing, setListing] = useState<LakeListing | null>(null);
  const [preview, setPreview] = useState<LakePreview | null>(null);
  const [tab, setTab] = useState<'files' | 'quarantine' | 'sql'>('files');
  const [sql, setSql] = useState(
    'SELECT city, category, round(sum(line_amount), 2) AS revenue FROM silver GROUP BY ALL ORDER BY revenue DESC LIMIT 20',
  );
  const [result, setResult] = useState<QueryResult | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setFolder('');
    setListing(null);
    void act(api.call('lake.list', { prefix: layer }), 'lake').then((l) => setTop(l?.prefixes ?? []));
  }, [layer]);
  useEffect(() => {
    if (folder) void act(api.call('lake.list', { prefix: folder }), 'lake').then((l) => l && setListing(l));
  }, [folder]);

  const runSql = async () => {
    setBusy(true);
    const r = await act(api.call('lake.query', { sql, limit: 1000 }), 'lake sql');
    setBusy(false);
    if (r) setResult(r);
  };

  return (
    <div className="page">
      <h2>Lake</h2>
      <div role="tablist" className="tabs" aria-label="Lake views">
        {(['files', 'quarantine', 'sql'] as const).map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
            {t === 'files' ? 'Files' : t === 'quarantine' ? 'Quarantine records' : 'SQL over the lake'}
          </button>
        ))}
      </div>
      {tab === 'files' && (
        <div className="lake">
          <nav aria-label="Lake layers" className="layers">
            {LAYERS.map(([name, prefix]) => (
              <button key={prefix} aria-pressed={layer === prefix} onClick={() => setLayer(prefix)}>
                {name}
              </button>
            ))}
          </nav>
          <div className="lake-cols">
            <ul role="tree" aria-label="Partitions" className="tree">
              {top.length === 0 && <li className="muted">no partitions yet</li>}
              {top.map((p) => (
                <TreeNode key={p} prefix={p} level={1} selected={folder} onSelect={setFolder} />
              ))}
            </ul>
            <div className="files">
              {listing && listing.files.length > 0 ? (
                <table className="grid" aria-label="Files">
                  <thead>
                    <tr>
                      <th scope="col">file</th>
                      <th scope="col">size</th>
                      <th scope="col">rows</th>
                      <th scope="col">offsets</th>
                      <th scope="col"></th>
                    </tr>
                  </thead>
                  <tbody>
                    {listing.files.map((f) => (
                      <tr key={f.key} aria-selected={preview?.key === f.key}>
                        <td>{leaf(f.key)}</td>
                        <td className="num">{bytes(f.bytes)}</td>
                        <td className="num">{f.rows ?? '–'}</td>
                        <td>{f.offsets ? `p${f.offsets.partition} ${f.offsets.first}–${f.offsets.last}` : '–'}</td>
                        <td>
                          <button
                            onClick={() =>
                              void act(api.call('lake.preview', { key: f.key, limit: 100 }), 'lake').then(
                                (p) => p && setPreview(p),
                              )
                            }
                            aria-label={`Preview ${leaf(f.key)}`}
                          >
                            Preview
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p className="muted">{folder ? 'Open a folder with files (hour=…).' : 'Choose a partition.'}</p>
              )}
            </div>
          </div>
          {preview && (
            <section aria-label="File preview" className="preview">
              <h3>{preview.key}</h3>
              <p className="muted">
                {preview.rows.toLocaleString('en-US')} rows in {preview.rowGroups} row group(s), {bytes(preview.bytes)}
              </p>
              <Grid
                label="Schema"
                result={{
                  columns: ['column', 'type', 'min', 'max', 'nulls'],
                  rows: preview.columns.map((c) => [c.name, c.type, c.min, c.max, c.nulls]),
                }}
              />
              <Grid label="Preview rows" result={preview.preview} />
            </section>
          )}
        </div>
      )}
      {tab === 'quarantine' && <QuarantinePanel />}
      {tab === 'sql' && (
        <section aria-label="SQL over the lake">
          <p className="muted">
            DuckDB over the lake's Parquet files: views <code>bronze</code>, <code>silver</code>,{' '}
            <code>quarantine</code>, <code>replays</code>, <code>gold</code>. One SELECT, at most 1,000 rows.
          </p>
          <textarea
            aria-label="Lake SQL"
            value={sql}
            onChange={(e) => setSql(e.target.value)}
            rows={5}
            spellCheck={false}
          />
          <div className="toolbar">
            <button onClick={() => void runSql()} disabled={busy}>
              Run lake query
            </button>
          </div>
          {result && <Grid label="Lake query results" result={result} />}
        </section>
      )}
    </div>
  );
}
