import { ErrorNote } from '../components/ErrorNote';
import { Grid } from '../components/Grid';
import { PartitionTree } from '../components/PartitionTree';
import { useAct, useCtx, usePlace, useTimeFormat, useUi } from '../context';
import { formatBytes, formatNumber } from '../format';
import { useHostQuery } from '../hostQuery';
import type { LakeTab } from '../store/pageState';
import { setLake } from '../store/uiStore';
import { QuarantinePanel } from './QuarantinePanel';
import { CompactionPanel } from './CompactionPanel';
import type { LakeFileInfo } from '../../../engine/contract';

const LAYERS: [string, string][] = [
  ['Bronze', 'bronze/sales_transactions/'],
  ['Silver', 'silver/sales_lines/'],
  ['Quarantine', 'quarantine/sales_transactions/'],
  ['Gold', 'gold/daily_sales/'],
];
const leaf = (key: string) => key.split('/').filter(Boolean).pop() ?? key;
const TAB_NAMES: Record<LakeTab, string> = {
  files: 'Files',
  quarantine: 'Quarantine records',
  sql: 'SQL over the lake',
  compaction: 'Compaction',
};

/** Source offsets a file holds: its own range, or (compacted) its files' ranges per source partition. */
function offsetsText(f: LakeFileInfo): string {
  if (f.compacted)
    return `${formatNumber(f.compacted.files)} files: ${f.compacted.covers
      .map((c) => `p${c.partition} ${formatNumber(c.first)}–${formatNumber(c.last)}`)
      .join(', ')}`;
  return f.offsets ? `p${f.offsets.partition} ${formatNumber(f.offsets.first)}–${formatNumber(f.offsets.last)}` : '–';
}

/** Layers → partition tree → files → schema and first rows; quarantine; SQL over the lake. State survives navigation. */
export function Lake() {
  const { api, ui } = useCtx();
  const act = useAct();
  const sqlPlace = usePlace('lake.sql');
  const time = useTimeFormat();
  const lake = useUi((s) => s.lake);
  const { tab, layer, folder, listing, preview, sql, result, busy } = lake;

  const list = (prefix: string) =>
    act(api.call('lake.list', { prefix }), 'lake').then((l) => {
      if (l) setLake(ui, { children: { ...ui.getState().lake.children, [prefix]: l.prefixes } });
      return l;
    });

  // The layer's top folders, and the chosen folder's files: read when the choice changes, into the
  // lake's store slice; an answer for a layer or folder left since is dropped.
  useHostQuery((host) => host.call('lake.list', { prefix: layer }), [layer], {
    source: 'lake',
    onData: (l) => setLake(ui, { children: { ...ui.getState().lake.children, [layer]: l.prefixes } }),
  });
  useHostQuery((host) => host.call('lake.list', { prefix: folder }), [folder], {
    source: 'lake',
    enabled: Boolean(folder),
    onData: (l) => setLake(ui, { listing: l }),
  });

  const toggle = (prefix: string, open: boolean) => {
    const current = ui.getState().lake.open;
    setLake(ui, { open: open ? [...current, prefix] : current.filter((p) => p !== prefix) });
    if (open && !ui.getState().lake.children[prefix]) void list(prefix);
  };

  const runSql = async () => {
    setLake(ui, { busy: true });
    const r = await sqlPlace.run(api.call('lake.query', { sql, limit: 1000 }));
    // A failed query clears the previous result: it must not pass for this query's answer.
    setLake(ui, { busy: false, result: r ?? null });
  };

  return (
    <div className="page">
      <h2>Lake</h2>
      <div role="tablist" className="tabs" aria-label="Lake views">
        {(['files', 'quarantine', 'sql', 'compaction'] as LakeTab[]).map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} onClick={() => setLake(ui, { tab: t })}>
            {TAB_NAMES[t]}
          </button>
        ))}
      </div>
      {tab === 'files' && (
        <div className="lake">
          <nav aria-label="Lake layers" className="layers">
            {LAYERS.map(([name, prefix]) => (
              <button
                key={prefix}
                aria-pressed={layer === prefix}
                onClick={() => setLake(ui, { layer: prefix, folder: '', listing: null })}
              >
                {name}
              </button>
            ))}
          </nav>
          <p className="muted">
            Partitions are by UTC date and hour (date=, hour=); times in the tables are in {time.label}.
          </p>
          <div className="lake-cols">
            <PartitionTree
              root={layer}
              model={{ children: lake.children, open: lake.open, selected: folder }}
              onToggle={toggle}
              onSelect={(p) => setLake(ui, { folder: p, listing: p === folder ? listing : null })}
            />
            <div className="files">
              {listing && listing.files.length > 0 ? (
                <table className="grid" aria-label="Files">
                  <thead>
                    <tr>
                      <th scope="col">file</th>
                      <th scope="col" className="num">
                        size
                      </th>
                      <th scope="col" className="num">
                        rows
                      </th>
                      <th scope="col" className="num">
                        offsets
                      </th>
                      <th scope="col"></th>
                    </tr>
                  </thead>
                  <tbody>
                    {listing.files.map((f) => (
                      <tr key={f.key} aria-selected={preview?.key === f.key}>
                        <td>{leaf(f.key)}</td>
                        <td className="num">{formatBytes(f.bytes)}</td>
                        <td className="num">{f.rows === null ? '–' : formatNumber(f.rows)}</td>
                        <td className="num">{offsetsText(f)}</td>
                        <td>
                          <button
                            onClick={() =>
                              void act(api.call('lake.preview', { key: f.key, limit: 100 }), 'lake').then(
                                (p) => p && setLake(ui, { preview: p }),
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
                <p className="muted">
                  {folder
                    ? 'Open a folder with files (hour=…).'
                    : 'Choose a partition (arrow keys move in the tree, Enter opens).'}
                </p>
              )}
            </div>
          </div>
          {preview && (
            <section aria-label="File preview" className="preview">
              <h3>{preview.key}</h3>
              <p className="muted">
                {formatNumber(preview.rows)} rows in {formatNumber(preview.rowGroups)} row group(s),{' '}
                {formatBytes(preview.bytes)}
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
      {tab === 'compaction' && <CompactionPanel />}
      {tab === 'sql' && (
        <section aria-label="SQL over the lake">
          <p className="muted">
            DuckDB over the lake's Parquet files: views <code>bronze</code>, <code>silver</code>,{' '}
            <code>quarantine</code>, <code>replays</code>, <code>gold</code>. One SELECT, at most 1,000 rows.
          </p>
          <textarea
            aria-label="Lake SQL"
            value={sql}
            onChange={(e) => setLake(ui, { sql: e.target.value })}
            rows={5}
            spellCheck={false}
            aria-invalid={sqlPlace.error ? true : undefined}
            aria-describedby={sqlPlace.error ? 'lake-sql-error' : undefined}
          />
          <ErrorNote error={sqlPlace.error} id="lake-sql-error" />
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
