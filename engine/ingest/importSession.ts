import { randomBytes } from 'node:crypto';
import type { ImportFileResult, ImportProgress, ImportSummary, SalesFileFormat } from '../contract';
import { describeConfig, type EngineConfig } from '../config';
import { PulseError } from '../errors';
import type { Broker, BrokerProducer } from '../services/broker/port';
import { SalesImport } from './salesImport';

/** `<UTC time>-<random>`: the key of every record the import sends is `import:<this>`. */
export function newImportId(): string {
  const t = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${t}-${randomBytes(3).toString('hex')}`;
}

/**
 * One import (one or more files, one after another) into the topic: the CLI reads files from disk,
 * the app sends a file's text in pieces; both end in the same summary.
 */
export class ImportSession {
  readonly importId = newImportId();
  private producer: BrokerProducer | null = null;
  private partitions = 1;
  private current: SalesImport | null = null;
  private readonly files: ImportFileResult[] = [];
  private readonly started = performance.now();
  private status: ImportSummary['status'] = 'succeeded';

  constructor(
    private readonly broker: Broker,
    private readonly config: EngineConfig,
    private readonly onProgress?: (p: ImportProgress) => void,
  ) {}

  async beginFile(name: string, bytes: number, format?: SalesFileFormat): Promise<void> {
    if (this.current)
      throw new PulseError('stage_state', `still importing ${this.current.result().file}: end it first`);
    if (!this.producer) {
      this.partitions = await this.broker.ensureTopic(this.config.topic, this.config.partitions);
      this.producer = await this.broker.producer(this.config.topic);
    }
    this.current = new SalesImport(this.producer, {
      importId: this.importId,
      file: name,
      bytes,
      format,
      onProgress: this.onProgress,
      partitions: this.partitions,
      // Kafka refuses a partition's record batch over message.max.bytes (1 MiB by default).
      maxPartitionBytes: this.broker.kind === 'kafka' ? 768 * 1024 : Infinity,
    });
  }

  push(text: string, bytes: number): Promise<ImportProgress> {
    if (!this.current) throw new PulseError('stage_state', 'no file is being imported: begin one first');
    return this.current.push(text, bytes);
  }

  /** The file cannot be read further (`err`): it ends with that error. */
  abortFile(err: unknown): void {
    this.current?.abort(err);
  }

  /** Ends the file; false when it stopped the import (its result says why). */
  async endFile(): Promise<boolean> {
    const file = this.current;
    if (!file) throw new PulseError('stage_state', 'no file is being imported');
    this.current = null;
    const result = await file.end();
    this.files.push(result);
    if (result.error) this.status = 'failed';
    return !result.error;
  }

  async finish(cancelled = false): Promise<ImportSummary> {
    if (this.current) await this.endFile();
    if (cancelled) this.status = 'cancelled';
    await this.producer?.close();
    this.producer = null;
    const durationMs = Math.round(performance.now() - this.started);
    const records = this.files.reduce((n, f) => n + f.records, 0);
    const where = describeConfig(this.config).broker;
    return {
      importId: this.importId,
      target: `${where}, topic ${this.config.topic}`,
      status: this.status,
      files: this.files,
      bytes: this.files.reduce((n, f) => n + f.bytes, 0),
      records,
      durationMs,
      recordsPerSec: durationMs > 0 ? Math.round((records * 1000) / durationMs) : 0,
    };
  }
}
