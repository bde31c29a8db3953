import fs from 'node:fs';
import path from 'node:path';
import { PulseError } from '../../errors';
import { fsyncDir } from '../../util/fsx';
import type { Lake, LakeObject } from './port';

const SCRATCH = '.scratch';

/** The lake as a local folder: same keys as the bucket, files renamed into place once complete. */
export class FolderLake implements Lake {
  readonly kind = 'folder' as const;

  constructor(private readonly root: string) {
    fs.mkdirSync(path.join(root, SCRATCH), { recursive: true });
  }

  get location(): string {
    return this.root;
  }

  scratchPath(name: string): string {
    return path.join(this.root, SCRATCH, name);
  }

  async put(key: string, localFile: string): Promise<void> {
    const target = this.pathOf(key);
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const fd = fs.openSync(localFile, 'r');
      try {
        fs.fdatasyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(localFile, target);
      fsyncDir(path.dirname(target));
    } catch (cause) {
      throw new PulseError('lake_io', `cannot write ${key} in ${this.root}: ${(cause as Error).message}`, { cause, retriable: true });
    }
  }

  async list(prefix: string): Promise<LakeObject[]> {
    const out: LakeObject[] = [];
    const dirKey = prefix.endsWith('/') ? prefix : path.posix.dirname(prefix) + '/';
    const walk = (dir: string, keyPrefix: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const key = keyPrefix + e.name;
        if (e.isDirectory()) walk(path.join(dir, e.name), key + '/');
        else if (key.startsWith(prefix)) {
          const st = fs.statSync(path.join(dir, e.name));
          out.push({ key, size: st.size, modifiedMs: st.mtimeMs });
        }
      }
    };
    walk(this.pathOf(dirKey), dirKey);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async size(key: string): Promise<number> {
    try {
      return fs.statSync(this.pathOf(key)).size;
    } catch (cause) {
      throw new PulseError('not_found', `lake object ${key} does not exist`, { cause });
    }
  }

  async read(key: string, range?: { start: number; end: number }): Promise<Uint8Array> {
    const file = this.pathOf(key);
    try {
      if (!range) return fs.readFileSync(file);
      const fd = fs.openSync(file, 'r');
      try {
        const buf = Buffer.allocUnsafe(range.end - range.start);
        const n = fs.readSync(fd, buf, 0, buf.length, range.start);
        return buf.subarray(0, n);
      } finally {
        fs.closeSync(fd);
      }
    } catch (cause) {
      throw new PulseError('not_found', `lake object ${key} cannot be read: ${(cause as Error).message}`, { cause });
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) fs.rmSync(this.pathOf(key), { force: true });
  }

  async localPaths(keys: readonly string[]): Promise<string[]> {
    return keys.map((k) => this.pathOf(k));
  }

  private pathOf(key: string): string {
    if (key.includes('..') || path.isAbsolute(key)) throw new PulseError('config_invalid', `bad lake key ${key}`, { field: 'key' });
    return path.join(this.root, ...key.split('/'));
  }
}
