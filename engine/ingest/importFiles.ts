import fs from 'node:fs';
import type { ImportProgress, ImportSummary, SalesFileFormat } from '../contract';
import { paths, type EngineConfig } from '../config';
import { PulseError } from '../errors';
import { openBroker } from '../services/open';
import { lockDataDir } from '../util/dataDirLock';
import { ImportSession } from './importSession';

/**
 * Files from disk into the topic, one after another, read in 1 MiB pieces (memory stays flat
 * whatever the file's size). The embedded log takes one writer: the data dir is locked for the
 * import (an app running on it refuses, and is refused); Kafka takes any number of producers.
 */
export async function importFiles(
  config: EngineConfig,
  files: readonly string[],
  opts: { format?: SalesFileFormat; onProgress?: (p: ImportProgress) => void } = {},
): Promise<ImportSummary> {
  for (const f of files)
    if (!fs.existsSync(f) || !fs.statSync(f).isFile())
      throw new PulseError('config_invalid', `${f}: no such file`, { field: 'file' });
  const release = config.services.broker.mode === 'embedded' ? lockDataDir(paths.lock(config)) : () => undefined;
  const broker = await openBroker(config).catch((err: unknown) => {
    release();
    throw err;
  });
  try {
    const session = new ImportSession(broker, config, opts.onProgress);
    for (const file of files) {
      await session.beginFile(file, fs.statSync(file).size, opts.format);
      try {
        for await (const piece of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }))
          await session.push(piece as string, Buffer.byteLength(piece as string));
      } catch (err) {
        // A broken file or a failed send: the file's result holds the error, and the import stops at it.
        session.abortFile(err);
      }
      if (!(await session.endFile())) break;
    }
    return await session.finish();
  } finally {
    await broker.close();
    release();
  }
}
