/** npm run import -- FILE... [--format ndjson|json|csv] [--json] (plus the service flags of `pipeline`). */
import { parseArgs } from 'node:util';
import { configFromFlags, SERVICE_FLAGS } from '../cliConfig';
import type { ImportProgress, ImportSummary, SalesFileFormat } from '../contract';
import { PulseError } from '../errors';
import { importFiles } from '../ingest/importFiles';
import { SALES_FORMATS } from '../ingest/salesReaders';

export const IMPORT_USAGE = `usage: npm run import -- FILE... [--format ndjson|json|csv] [--json]
       [--data-dir DIR] [--kafka HOST:PORT] [--topic T] [service flags as for pipeline]
  Puts sales files on the topic (the embedded log, or Kafka) for the stream to validate like live sales.
  ndjson: one sale per line; json: an array of sales; csv: one row per sale line with the header
  transaction_id,timestamp_utc,store_id,customer_id,product_id,quantity,unit_price[,total_amount]
  (rows of one transaction consecutive). The format comes from the name (.ndjson/.jsonl, .json, .csv) when not given.
  Importing a file again, or files that overlap, counts nothing twice: the stream quarantines a
  transaction it already has as duplicate_transaction.`;

export async function importCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...SERVICE_FLAGS,
      format: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return void console.log(IMPORT_USAGE);
  if (!positionals.length)
    throw new PulseError('config_invalid', `name at least one file\n${IMPORT_USAGE}`, { field: 'file' });
  const format = values.format as SalesFileFormat | undefined;
  if (format !== undefined && !SALES_FORMATS.includes(format))
    throw new PulseError('config_invalid', `--format ${format}: one of ${SALES_FORMATS.join(', ')}`, {
      field: 'format',
    });
  let last = 0;
  const summary = await importFiles(configFromFlags(values), positionals, {
    format,
    onProgress: (p) => {
      if (performance.now() - last < 1000 && p.bytesDone < p.bytesTotal) return;
      last = performance.now();
      process.stderr.write(`${progressLine(p)}\n`);
    },
  });
  console.log(values.json ? JSON.stringify(summary) : formatImport(summary));
  if (summary.status !== 'succeeded') process.exitCode = 1;
}

const mb = (n: number) => `${(n / (1 << 20)).toFixed(1)} MB`;

export function progressLine(p: ImportProgress): string {
  const pct = p.bytesTotal ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 100;
  return `import ${p.file}: ${mb(p.bytesDone)} of ${mb(p.bytesTotal)} (${pct}%), ${p.records.toLocaleString('en-US')} records, ${p.recordsPerSec.toLocaleString('en-US')} records/s${p.secondsLeft === null ? '' : `, ${p.secondsLeft} s left`}`;
}

function formatImport(s: ImportSummary): string {
  const lines = [
    `import ${s.importId} ${s.status}: ${s.records.toLocaleString('en-US')} records, ${mb(s.bytes)} in ${(s.durationMs / 1000).toFixed(1)} s (${s.recordsPerSec.toLocaleString('en-US')} records/s) into ${s.target}`,
  ];
  for (const f of s.files) {
    lines.push(
      `  ${f.file} (${f.format}): ${f.records.toLocaleString('en-US')} records${f.unreadable ? `, ${f.unreadable} not JSON objects (they go to quarantine)` : ''}${f.issueCount ? `, ${f.issueCount} row problem(s), not sent:` : ''}`,
    );
    for (const i of f.issues.slice(0, 20)) lines.push(`    line ${i.line}: ${i.message}`);
    if (f.issueCount > 20) lines.push(`    … and ${f.issueCount - 20} more (--json lists the first 100)`);
    if (f.error) lines.push(`    stopped: ${f.error}`);
  }
  lines.push('The stream validates them like live sales (npm run pipeline -- --seconds 0 drains and loads them).');
  return lines.join('\n');
}
