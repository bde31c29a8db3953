import type { LakeOffsets } from './contract';
import type { EngineConfig } from './config';
import { toErrorInfo, type ErrorInfo } from './errors';
import { groupForLake, lakeIdentity } from './services/lake/lakeIdentity';
import type { Handlers } from './host/commandRouter';
import { openLake } from './services/open';

/**
 * What the Host knows of the lake's offsets for a UI: the lake's id and the consumer group as soon
 * as the lake answers (before any stream runs), then the stream's report at each (re)assignment.
 */
export class OffsetsView {
  private current: LakeOffsets;
  private generation = 0;

  constructor(
    private readonly config: () => EngineConfig,
    private readonly emit: (o: LakeOffsets) => void,
    private readonly onError: (e: ErrorInfo) => void,
  ) {
    this.current = this.blank();
  }

  get(): LakeOffsets {
    return this.current;
  }

  handlers(): Handlers<'stream.offsets'> {
    return { 'stream.offsets': async () => this.current };
  }

  /** Reads (or creates) the lake's identity in the background; an unreachable lake is reported, not fatal. */
  refresh(): void {
    const generation = ++this.generation;
    this.current = this.blank();
    void (async () => {
      const identity = await lakeIdentity(await openLake(this.config()));
      if (generation !== this.generation || this.current.lakeId) return;
      this.set({ ...this.current, lakeId: identity.id, group: this.config().group ?? groupForLake(identity.id) });
    })().catch((err: unknown) => {
      if (generation === this.generation) this.onError(toErrorInfo(err));
    });
  }

  /** The stream's own report (it read the lake itself). */
  fromStream(report: LakeOffsets): void {
    this.set(report);
  }

  private set(next: LakeOffsets): void {
    this.current = next;
    this.emit(next);
  }

  private blank(): LakeOffsets {
    const c = this.config();
    const lake = c.services.lake;
    return {
      lakeId: null,
      lake: lake.mode === 'embedded' ? 'embedded folder' : `s3://${lake.bucket}`,
      group: c.group ?? null,
      groupFrom: c.group ? 'setting' : 'lake',
      topic: c.topic,
      partitions: [],
      notices: [],
      summary: '',
      at: 0,
    };
  }
}
