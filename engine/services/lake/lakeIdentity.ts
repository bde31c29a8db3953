import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { PulseError } from '../../errors';
import { CHECKPOINT, LAYERS } from './keys';
import type { Lake } from './port';

/** The lake's identity, written once when the lake is created, in the lake itself (a bucket carries it). */
export const IDENTITY_KEY = `${CHECKPOINT}lake.json`;

export interface LakeIdentity {
  id: string;
  createdAt: string;
  /**
   * The lake already held batch files when it got its identity: an older version wrote it and kept
   * its offsets in the consumer group. The stream adopts them once (see lakeCheckpoint.adopt).
   */
  legacy: boolean;
}

/** Reads the lake's identity, creating it when the lake has none (the first of racing writers wins). */
export async function lakeIdentity(lake: Lake): Promise<LakeIdentity & { created: boolean }> {
  const existing = await readIdentity(lake);
  if (existing) return { ...existing, created: false };
  const legacy = (await lake.listPrefixes(LAYERS.bronze)).length > 0;
  const mine: LakeIdentity = { id: randomUUID(), createdAt: new Date().toISOString(), legacy };
  const local = lake.scratchPath(`${randomUUID()}.json`);
  fs.writeFileSync(local, `${JSON.stringify(mine, null, 2)}\n`);
  if (await lake.create(IDENTITY_KEY, local)) return { ...mine, created: true };
  const winner = await readIdentity(lake);
  if (!winner) throw new PulseError('lake_io', `${IDENTITY_KEY} in ${lake.location} vanished while it was created`);
  return { ...winner, created: false };
}

/** The consumer group a lake uses unless one is set: one group per lake, so lakes never share commits. */
export function groupForLake(id: string): string {
  return `retail-pulse-${id.replace(/-/g, '').slice(0, 12)}`;
}

async function readIdentity(lake: Lake): Promise<LakeIdentity | null> {
  let text: string;
  try {
    text = Buffer.from(await lake.read(IDENTITY_KEY)).toString('utf8');
  } catch (err) {
    if (err instanceof PulseError && err.code === 'not_found') return null;
    throw err;
  }
  try {
    const v = JSON.parse(text) as Partial<LakeIdentity>;
    if (typeof v.id === 'string' && /^[0-9a-f-]{8,64}$/i.test(v.id))
      return { id: v.id, createdAt: String(v.createdAt ?? ''), legacy: v.legacy === true };
  } catch {
    // reported below
  }
  throw new PulseError(
    'lake_io',
    `the lake's identity ${IDENTITY_KEY} in ${lake.location} is damaged (no valid "id"): restore it from a copy of the lake, or delete it (the lake then gets a new id and, unless --group is set, a new consumer group)`,
  );
}
