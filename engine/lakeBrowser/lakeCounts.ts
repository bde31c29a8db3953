import type { LakeCounts } from '../contract';
import { readRowCount } from '../services/lake/footer';
import { LAYERS } from '../services/lake/keys';
import type { Lake } from '../services/lake/port';
import { visibleParquet } from '../compaction/lakeView';

const CONCURRENT_READS = 16;

/**
 * Records in bronze, silver and quarantine as the lake holds them: the sum of the Parquet footers'
 * row counts, so the Pipeline page shows the truth after a restart without scanning a file. Files
 * are immutable once renamed into place (their names carry the offsets), so a footer is read once
 * and remembered by key and size; a later call lists the layers and reads only new files.
 */
export class LakeCounter {
  private readonly rows = new Map<string, { bytes: number; rows: number }>();

  constructor(private readonly lake: Lake) {}

  async counts(): Promise<LakeCounts> {
    const [bronze, silver, quarantine] = await Promise.all(
      (['bronze', 'silver', 'quarantine'] as const).map((layer) => this.layer(LAYERS[layer])),
    );
    return {
      bronze: { records: bronze.rows, files: bronze.files },
      silver: { lines: silver.rows, files: silver.files },
      quarantine: { records: quarantine.rows, files: quarantine.files },
      at: Date.now(),
    };
  }

  private async layer(prefix: string): Promise<{ rows: number; files: number }> {
    const objects = await visibleParquet(this.lake, prefix);
    const present = new Set(objects.map((o) => o.key));
    for (const key of this.rows.keys()) if (key.startsWith(prefix) && !present.has(key)) this.rows.delete(key);
    const unread = objects.filter((o) => this.rows.get(o.key)?.bytes !== o.size);
    for (let i = 0; i < unread.length; i += CONCURRENT_READS) {
      await Promise.all(
        unread.slice(i, i + CONCURRENT_READS).map(async (o) => {
          // A file removed between the listing and the read (crash recovery) is simply not counted.
          const rows = await readRowCount(this.lake, o.key, o.size).catch(() => null);
          if (rows !== null) this.rows.set(o.key, { bytes: o.size, rows });
        }),
      );
    }
    let rows = 0;
    let files = 0;
    for (const o of objects) {
      const known = this.rows.get(o.key);
      if (known) {
        rows += known.rows;
        files++;
      }
    }
    return { rows, files };
  }
}
