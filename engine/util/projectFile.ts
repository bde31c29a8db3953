import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A file of the project (sql/init.sql, sql/queries, docker-compose.yml) wherever this code runs
 * from: the sources (engine/util/), or a bundle (out/main/, out/main/chunks/). Falls back to the
 * path relative to the working directory, so a message names what was looked for.
 */
export function projectFile(name: string): string {
  return (
    ['..', '../..', '../../..']
      .map((up) => fileURLToPath(new URL(`${up}/${name}`, import.meta.url)))
      .find((p) => fs.existsSync(p)) ?? name
  );
}
