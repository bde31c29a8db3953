import type { Commands, ImportProgress, ImportSummary, SalesFileFormat } from '../contract';
import type { EngineConfig } from '../config';
import { PulseError } from '../errors';
import { WorkerHandle } from '../workers/workerHandle';

export type ImportCommand = 'import.begin' | 'import.chunk' | 'import.end' | 'import.cancel';

export interface ImportDeps {
  config: () => EngineConfig;
  /** The producer writes the embedded log: it takes one writer at a time. */
  producerRunning: () => boolean;
  progress: (p: ImportProgress) => void;
}

/**
 * The app's Import action: the renderer reads the chosen file's text in pieces and sends them; an
 * importer worker parses them and puts the records on the topic, off the Host's thread. One import
 * at a time.
 */
export class ImportCommands {
  private running: { importId: string; worker: WorkerHandle<'importer'> } | null = null;
  private starting = false;

  constructor(private readonly deps: ImportDeps) {}

  /** An import holds the embedded log's writer. */
  busy(): boolean {
    return this.running !== null || this.starting;
  }

  handlers(): { [C in ImportCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } {
    return {
      'import.begin': (q) => this.begin(q.name, q.bytes, q.format),
      'import.chunk': async (q) => this.session(q.importId).api.chunk(q.text, q.bytes),
      'import.end': (q) => this.finish(q.importId, false),
      'import.cancel': (q) => this.finish(q.importId, true),
    };
  }

  private async begin(name: string, bytes: number, format?: SalesFileFormat): Promise<{ importId: string }> {
    if (this.busy()) throw new PulseError('stage_state', 'an import is running: wait for it, or cancel it');
    const config = this.deps.config();
    if (config.services.broker.mode === 'embedded' && this.deps.producerRunning())
      throw new PulseError(
        'stage_state',
        'stop the producer before importing: the embedded log takes one writer at a time (Kafka takes both)',
      );
    this.starting = true;
    try {
      const worker = await WorkerHandle.spawn({ role: 'importer', config });
      worker.on('progress', (p) => this.deps.progress(p));
      try {
        const { importId } = await worker.api.begin(name, bytes, format);
        this.running = { importId, worker };
        return { importId };
      } catch (err) {
        await worker.terminate();
        throw err;
      }
    } finally {
      this.starting = false;
    }
  }

  private session(importId: string): WorkerHandle<'importer'> {
    if (this.running?.importId !== importId)
      throw new PulseError('config_invalid', `no import ${importId} is running`, { field: 'importId' });
    return this.running.worker;
  }

  private async finish(importId: string, cancel: boolean): Promise<ImportSummary> {
    const worker = this.session(importId);
    try {
      return await (cancel ? worker.api.cancel() : worker.api.end());
    } finally {
      this.running = null;
      await worker.terminate();
    }
  }

  async close(): Promise<void> {
    const r = this.running;
    this.running = null;
    await r?.worker.api.cancel().catch(() => undefined);
    await r?.worker.terminate();
  }
}
