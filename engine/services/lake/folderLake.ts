import fs from 'node:fs';
import path from 'node:path';
import { PulseError } from '../../errors';
import { checkLakeKey } from './keys';
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
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await syncFile(localFile, 'data');
      await fs.promises.rename(localFile, target);
      await syncFile(path.dirname(target));
    } catch (cause) {
      throw new PulseError('lake_io', `cannot write ${key} in ${this.root}: ${(cause as Error).message}`, {
        cause,
        retriable: true,
      });
    }
  }

  async create(key: string, localFile: string): Promise<boolean> {
    const target = this.pathOf(key);
    try {
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await syncFile(localFile, 'data');
      // link() fails when the name exists: the first writer wins, whole, and nobody replaces it.
      await fs.promises.link(localFile, target);
      await syncFile(path.dirname(target));
      return true;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new PulseError('lake_io', `cannot write ${key} in ${this.root}: ${(cause as Error).message}`, {
        cause,
        retriable: true,
      });
    } finally {
      fs.rmSync(localFile, { force: true });
    }
  }

  async list(prefix: string): Promise<LakeObject[]> {
    const out: LakeObject[] = [];
    const dirKey = folderOf(prefix);
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
    walk(this.dirOf(dirKey), dirKey);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    const dirKey = folderOf(prefix);
    const dir = this.dirOf(dirKey);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return [];
    }
    return (
      entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.') && (dirKey + e.name).startsWith(prefix))
        // A bucket has no empty folders: a directory whose files were all deleted is not a prefix.
        .filter((e) => holdsFile(path.join(dir, e.name)))
        .map((e) => `${dirKey}${e.name}/`)
        .sort()
    );
  }

  async size(key: string): Promise<number> {
    return this.stat(key).size;
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
      throw this.readError(key, cause);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    // All or nothing: one bad key refuses the whole call before anything is removed.
    for (const key of keys.map((k) => this.pathOf(k))) fs.rmSync(key, { force: true });
  }

  async localPaths(keys: readonly string[]): Promise<string[]> {
    return keys.map((k) => {
      this.stat(k);
      return this.pathOf(k);
    });
  }

  private stat(key: string): fs.Stats {
    try {
      const st = fs.statSync(this.pathOf(key));
      if (!st.isFile()) throw Object.assign(new Error(`${key} is a folder`), { code: 'ENOENT' });
      return st;
    } catch (cause) {
      throw this.readError(key, cause);
    }
  }

  /** Missing objects are 'not_found', as in S3; anything else (permissions, disk) is an I/O failure. */
  private readError(key: string, cause: unknown): PulseError {
    if (cause instanceof PulseError) return cause;
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR')
      return new PulseError('not_found', `lake object ${key} does not exist`, { cause });
    return new PulseError('lake_io', `cannot read ${key} in ${this.root}: ${(cause as Error).message}`, {
      cause,
      retriable: true,
    });
  }

  /** A listing's folder: the lake's root for '', else checked like a key. */
  private dirOf(dirKey: string): string {
    return dirKey === '' ? this.root : this.pathOf(dirKey);
  }

  private pathOf(key: string): string {
    checkLakeKey(key);
    return path.join(this.root, ...key.split('/'));
  }
}

function holdsFile(dir: string): boolean {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  return entries.some(
    (e) => !e.name.startsWith('.') && (e.isFile() || (e.isDirectory() && holdsFile(path.join(dir, e.name)))),
  );
}

/** The folder key a prefix lies in: 'a/b/' for 'a/b/' and 'a/b/c', '' for 'a' or ''. */
function folderOf(prefix: string): string {
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}

/**
 * Flushes a file (or a folder's entries) to disk on libuv's thread pool: a stream's write waits
 * for it, the thread goes on validating the next records meanwhile.
 */
async function syncFile(file: string, what: 'data' | 'all' = 'all'): Promise<void> {
  const handle = await fs.promises.open(file, 'r');
  try {
    await (what === 'data' ? handle.datasync() : handle.sync());
  } finally {
    await handle.close();
  }
}
