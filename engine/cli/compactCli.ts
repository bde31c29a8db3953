/** npm run compact -- [--dry-run] [--target-mb N] [--json] (plus the service flags of `pipeline`). */
import { parseArgs } from 'node:util';
import { configFromFlags, SERVICE_FLAGS } from '../cliConfig';
import type { CompactionProgress, CompactionResult } from '../contract';
import { PulseError } from '../errors';
import { Host } from '../host';

export const COMPACT_USAGE = `usage: npm run compact -- [--dry-run] [--target-mb N] [--json]
       [--data-dir DIR] [--s3 URL --s3-bucket NAME] [--postgres URL] [service flags as for pipeline]
  Merges each closed hour's bronze, silver and quarantine files into files of about N MB (default 128), exactly
  once: readers see the small files or the merged one, never both, and a run killed anywhere loses nothing.
  An hour is closed 10 minutes after it ends (late events arriving later are merged by a later run); silver
  waits until the ETL has loaded it. Files replaced are deleted by a run 15 minutes or more after their merge.
  --dry-run: say what would be merged, write nothing.`;

export async function compactCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...SERVICE_FLAGS,
      'dry-run': { type: 'boolean', default: false },
      'target-mb': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return void console.log(COMPACT_USAGE);
  const target = values['target-mb'] === undefined ? undefined : Number(values['target-mb']);
  if (target !== undefined && !(Number.isFinite(target) && target >= 1))
    throw new PulseError('config_invalid', `--target-mb ${values['target-mb']}: a number of MB, 1 or more`, {
      field: 'target-mb',
    });
  const host = await Host.open(configFromFlags(values));
  let last = 0;
  const off = host.on('compaction.progress', (p) => {
    if (values.json || (Date.now() - last < 1000 && p.phase !== 'done')) return;
    last = Date.now();
    console.error(progressLine(p));
  });
  try {
    const result = await host.call('compaction.run', { dryRun: values['dry-run'], targetMb: target });
    console.log(values.json ? JSON.stringify(result) : formatResult(result));
    if (result.status === 'failed') process.exitCode = 1;
  } finally {
    off();
    await host.close();
  }
}

const n = (x: number): string => x.toLocaleString('en-US');
const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MB`;

function progressLine(p: CompactionProgress): string {
  return `compaction ${p.phase}: ${n(p.foldersDone)}/${n(p.foldersTotal)} hours, ${n(p.filesDone)}/${n(p.filesTotal)} files, ${mb(p.bytesDone)}/${mb(p.bytesTotal)}${p.folder ? ` (${p.folder})` : ''}`;
}

export function formatResult(r: CompactionResult): string {
  const lines = [
    `compaction ${r.dryRun ? 'plan (nothing written)' : r.status} in ${n(r.durationMs)} ms`,
    ...(['bronze', 'silver', 'quarantine'] as const).map((layer) => {
      const l = r.layers[layer];
      return `  ${layer.padEnd(10)} ${n(l.folders)} hours: ${n(l.filesIn)} files (${mb(l.bytesIn)}) → ${n(l.filesOut)}${r.dryRun ? '' : ` (${mb(l.bytesOut)}), ${n(l.rows)} rows`}`;
    }),
    `  replaced files deleted ${n(r.cleaned)}, kept for readers until their grace period ends ${n(r.pendingCleanup)}; uncommitted files removed ${n(r.orphans)}`,
    `  files left for a later run (open hour, not committed or not loaded yet) ${n(r.waiting)}`,
    ...r.skipped.map((s) => `  skipped ${s.folder}: ${s.reason}`),
    ...r.notes.map((s) => `  note: ${s}`),
  ];
  if (r.error) lines.push(`  error: ${r.error}`);
  return lines.join('\n');
}
