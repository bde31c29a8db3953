import fs from 'node:fs';
import path from 'node:path';
import { PulseError } from '../errors';

/**
 * One app instance per data directory: two writers on one log or one PGlite directory silently
 * lose data. The lock file holds the owner's pid; a lock whose process is gone is taken over.
 */
export function lockDataDir(file: string): () => void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(file, 'utf8'));
      if (owner && owner !== process.pid && alive(owner)) {
        throw new PulseError(
          'data_dir_locked',
          `${path.dirname(file)} is in use by process ${owner}. Stop it, or choose another --data-dir.`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new PulseError('data_dir_locked', `cannot lock ${file}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
