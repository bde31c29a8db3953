import { useEffect, useRef, useState } from 'react';
import type { ImportProgress, ImportSummary, SalesFileFormat } from '../../../engine/contract';
import { Grid } from '../components/Grid';
import { useAct, useCtx } from '../context';
import { ProgressBar } from '../components/ProgressBar';

/** Bytes of the file per call: its text, JSON-escaped, stays under web mode's 1 MiB frame. */
const PIECE = 512 * 1024;
const mb = (n: number) => `${(n / (1 << 20)).toFixed(1)} MB`;
const count = (n: number) => n.toLocaleString('en-US');

/**
 * Sales files into the topic: the page reads each chosen file in pieces (the renderer has no file
 * system) and sends them; the Host's importer puts the records on the topic and reports progress.
 */
export function ImportPanel() {
  const { api } = useCtx();
  const act = useAct();
  const [format, setFormat] = useState<SalesFileFormat | 'auto'>('auto');
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  const [results, setResults] = useState<ImportSummary[]>([]);
  const cancel = useRef(false);

  useEffect(() => api.on('import.progress', setProgress), [api]);

  const run = async (list: FileList | null) => {
    if (!list?.length) return;
    cancel.current = false;
    setResults([]);
    for (const file of [...list]) {
      const begun = await act(
        api.call('import.begin', { name: file.name, bytes: file.size, ...(format === 'auto' ? {} : { format }) }),
        'import',
      );
      if (!begun) break;
      setRunning(begun.importId);
      // One decoder for the whole file: a character cut between two pieces is joined again.
      const decoder = new TextDecoder();
      for (let at = 0; at < file.size && !cancel.current; at += PIECE) {
        const bytes = await file.slice(at, at + PIECE).arrayBuffer();
        const text = decoder.decode(bytes, { stream: at + PIECE < file.size });
        const ok = await act(
          api.call('import.chunk', { importId: begun.importId, text, bytes: bytes.byteLength }),
          'import',
        );
        if (!ok) break;
      }
      const summary = await act(
        api.call(cancel.current ? 'import.cancel' : 'import.end', { importId: begun.importId }),
        'import',
      );
      setRunning(null);
      if (summary) setResults((r) => [...r, summary]);
      if (!summary || summary.status !== 'succeeded') break;
    }
  };

  const pct = progress && progress.bytesTotal ? Math.floor((100 * progress.bytesDone) / progress.bytesTotal) : 0;
  return (
    <section aria-label="Import sales files">
      <h3>Import sales files</h3>
      <p className="muted">
        NDJSON (one sale per line), a JSON array of sales, or CSV with one row per sale line (
        <code>transaction_id,timestamp_utc,store_id,customer_id,product_id,quantity,unit_price[,total_amount]</code>
        ). The stream validates them like live sales; a sale already in the history is quarantined as a duplicate, so
        importing a file again counts nothing twice.
      </p>
      <div className="toolbar">
        <label>
          Format{' '}
          <select
            value={format}
            onChange={(e) => setFormat(e.target.value as SalesFileFormat | 'auto')}
            aria-label="Import format"
          >
            <option value="auto">from the file</option>
            <option value="ndjson">NDJSON</option>
            <option value="json">JSON array</option>
            <option value="csv">CSV</option>
          </select>
        </label>
        <label>
          Files{' '}
          <input
            type="file"
            multiple
            accept=".ndjson,.jsonl,.json,.csv"
            aria-label="Sales files to import"
            disabled={running !== null}
            onChange={(e) => void run(e.target.files)}
          />
        </label>
        <button onClick={() => (cancel.current = true)} disabled={running === null}>
          Cancel import
        </button>
      </div>
      {progress && (
        <div className="progress-block">
          <ProgressBar label="Import progress" percent={pct} />
          <p className="muted" role="status">
            {progress.file}: {mb(progress.bytesDone)} of {mb(progress.bytesTotal)} ({pct}%), {count(progress.records)}{' '}
            records, {count(progress.recordsPerSec)} records/s
            {progress.secondsLeft !== null && running ? `, ${progress.secondsLeft} s left` : ''}
          </p>
        </div>
      )}
      {results.map((s) => (
        <div key={s.importId} aria-label={`Import ${s.importId}`} role="region">
          <p>
            <strong>{s.status}</strong>: {count(s.records)} records, {mb(s.bytes)} in {(s.durationMs / 1000).toFixed(1)}{' '}
            s ({count(s.recordsPerSec)} records/s) into {s.target}
          </p>
          {s.files.map((f) => (
            <div key={f.file}>
              <p>
                {f.file} ({f.format}): {count(f.records)} records
                {f.unreadable > 0 && `, ${count(f.unreadable)} not JSON objects (they go to quarantine)`}
                {f.issueCount > 0 && `, ${count(f.issueCount)} row problem(s), not sent`}
              </p>
              {f.error && <p role="alert">Stopped: {f.error}</p>}
              {f.issues.length > 0 && (
                <Grid
                  label={`Problems in ${f.file}`}
                  result={{ columns: ['line', 'problem'], rows: f.issues.map((i) => [i.line, i.message]) }}
                />
              )}
            </div>
          ))}
        </div>
      ))}
    </section>
  );
}
