/**
 * A compaction run in a process of its own, for the tests that kill it with SIGKILL at each step of
 * the protocol: `node --import tsx compactChild.ts '<config JSON>' '<options JSON>' [pause-at-step]`.
 * It prints `step <name>` as it passes each step, `paused` when it stops at the one asked for (and
 * waits there to be killed), and the result as JSON when it finishes.
 */
import { fileURLToPath } from 'node:url';
import type { EngineConfig } from '../../config';
import { openDuck } from '../../services/lake/duck';
import { openLake, openWarehouse } from '../../services/open';
import { compactLake, type CompactOptions, type CompactStep } from '../compactor';

const INIT_SQL = fileURLToPath(new URL('../../../sql/init.sql', import.meta.url));

async function main(): Promise<void> {
  const [configJson, optionsJson, pauseAt] = process.argv.slice(2);
  const config = JSON.parse(configJson) as EngineConfig;
  const options = JSON.parse(optionsJson) as CompactOptions;
  const lake = await openLake(config);
  const duck = await openDuck();
  const result = await compactLake(
    {
      lake,
      duck,
      loadedFiles: async () => {
        const warehouse = await openWarehouse(config, INIT_SQL);
        try {
          return await warehouse.loadedFiles();
        } finally {
          await warehouse.close();
        }
      },
      onStep: async (step: CompactStep) => {
        process.stdout.write(`step ${step}\n`);
        if (step !== pauseAt) return;
        process.stdout.write('paused\n');
        await new Promise(() => setInterval(() => undefined, 60_000));
      },
    },
    options,
  );
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
}

void main();
