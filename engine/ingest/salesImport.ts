import type { ImportFileResult, ImportProgress, SalesFileFormat } from '../contract';
import { PulseError, toErrorInfo } from '../errors';
import { IMPORT_KEY_PREFIX } from '../model/sale';
import { partitionForKey, type BrokerProducer, type ProduceMessage } from '../services/broker/port';
import { detectFormat, salesReader, SALES_FORMATS, type SalesReader } from './salesReaders';

/** Records per send: one durable append (embedded) or one produce request per leader (Kafka). */
const BATCH = 10_000;
const PROGRESS_MS = 250;

/**
 * One sales file into the topic at full speed: pieces of text in, records out in batches, one batch
 * sending while the next is parsed. Records are keyed `import:<import id>` (bronze keeps where each
 * came from) and partitioned by store, like live sales.
 */
export class SalesImport {
  private reader: SalesReader | null = null;
  private format: SalesFileFormat | null;
  private batch: ProduceMessage[] = [];
  private readonly batchBytes: number[] = [];
  private sending: Promise<void> = Promise.resolve();
  private readonly started = performance.now();
  private lastProgress = -Infinity;
  private bytesDone = 0;
  private records = 0;
  private failed: string | null = null;

  constructor(
    private readonly producer: BrokerProducer,
    private readonly opts: {
      importId: string;
      file: string;
      bytes: number;
      format?: SalesFileFormat;
      onProgress?: (p: ImportProgress) => void;
      /** The topic's partitions, and the most bytes one partition may get in a send (Kafka refuses a record batch over message.max.bytes, 1 MiB by default). */
      partitions?: number;
      maxPartitionBytes?: number;
    },
  ) {
    if (opts.format !== undefined && !SALES_FORMATS.includes(opts.format))
      throw new PulseError(
        'config_invalid',
        `format must be one of ${SALES_FORMATS.join(', ')}, got ${String(opts.format)}`,
        {
          field: 'format',
        },
      );
    this.format = opts.format ?? null;
  }

  /** Parses a piece and sends what is complete; waits while the previous batch is still sending. */
  async push(text: string, bytes: number): Promise<ImportProgress> {
    this.check();
    try {
      if (!this.reader) {
        this.format ??= detectFormat(this.opts.file, text.slice(0, 200));
        this.reader = salesReader(this.format, this.opts.file);
      }
      this.bytesDone += bytes;
      await this.add(this.reader.push(text));
      await this.stopIfBroken();
    } catch (err) {
      throw this.fail(err);
    }
    return this.progress(false);
  }

  /** The rest, sent and durable; then what happened to the file. */
  async end(): Promise<ImportFileResult> {
    try {
      if (!this.failed) {
        this.reader ??= salesReader((this.format ??= detectFormat(this.opts.file, '')), this.opts.file);
        await this.add(this.reader.end());
        await this.stopIfBroken();
        await this.flush();
        await this.sending;
      }
    } catch (err) {
      this.fail(err);
    }
    await this.sending.catch(() => undefined);
    this.progress(true);
    return this.result();
  }

  result(): ImportFileResult {
    const issues = this.reader?.issues ?? [];
    const out: ImportFileResult = {
      file: this.opts.file,
      format: this.format ?? 'ndjson',
      bytes: this.bytesDone,
      records: this.records,
      unreadable: this.reader?.unreadable ?? 0,
      issues: issues.slice(0, 100),
      issueCount: issues.length,
    };
    if (this.failed) out.error = this.failed;
    return out;
  }

  progress(force: boolean): ImportProgress {
    const elapsedMs = performance.now() - this.started;
    const rate = elapsedMs > 0 ? (this.records * 1000) / elapsedMs : 0;
    const bytesRate = elapsedMs > 0 ? (this.bytesDone * 1000) / elapsedMs : 0;
    const p: ImportProgress = {
      importId: this.opts.importId,
      file: this.opts.file,
      format: this.format ?? 'ndjson',
      bytesDone: this.bytesDone,
      bytesTotal: this.opts.bytes,
      records: this.records,
      recordsPerSec: Math.round(rate),
      secondsLeft: bytesRate > 0 ? Math.max(0, Math.round((this.opts.bytes - this.bytesDone) / bytesRate)) : null,
      elapsedMs: Math.round(elapsedMs),
    };
    if (force || elapsedMs - this.lastProgress >= PROGRESS_MS) {
      this.lastProgress = elapsedMs;
      this.opts.onProgress?.(p);
    }
    return p;
  }

  /** A broken file: the whole records read before the break are sent, then the file stops. */
  private async stopIfBroken(): Promise<void> {
    const fatal = this.reader?.fatal;
    if (!fatal) return;
    await this.flush();
    await this.sending;
    throw fatal;
  }

  private async add(records: ReturnType<SalesReader['push']>): Promise<void> {
    const key = `${IMPORT_KEY_PREFIX}${this.opts.importId}`;
    const max = this.opts.maxPartitionBytes ?? Infinity;
    const partitions = this.opts.partitions ?? 1;
    for (const r of records) {
      if (max !== Infinity) {
        // UTF-16 length is close enough to bytes for a limit with headroom.
        const p = partitionForKey(r.store, partitions);
        const size = r.value.length + key.length + 64;
        if ((this.batchBytes[p] ?? 0) + size > max) await this.flush();
        this.batchBytes[p] = (this.batchBytes[p] ?? 0) + size;
      }
      this.batch.push({ key, value: r.value, partitionKey: r.store });
      if (this.batch.length >= BATCH) await this.flush();
    }
    this.progress(false);
  }

  private async flush(): Promise<void> {
    if (!this.batch.length) return;
    const batch = this.batch;
    this.batch = [];
    this.batchBytes.length = 0;
    await this.sending;
    this.sending = this.producer.send(batch).then(() => void (this.records += batch.length));
    // A failed send surfaces at the next push or at end.
    this.sending.catch(() => undefined);
  }

  private check(): void {
    if (this.failed) throw new PulseError('stage_state', `the import of ${this.opts.file} stopped: ${this.failed}`);
  }

  /** Stops the file with `err` (reading it failed). */
  abort(err: unknown): void {
    this.fail(err);
  }

  private fail(err: unknown): PulseError {
    const info = toErrorInfo(err);
    const message = info.message.startsWith(this.opts.file) ? info.message : `${this.opts.file}: ${info.message}`;
    this.failed ??= message;
    return new PulseError(info.code === 'internal' ? 'broker_io' : info.code, message, { field: info.field });
  }
}
