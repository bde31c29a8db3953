/** The lake port: an object store with the bucket's key layout, local folder or S3 alike. */

export interface LakeObject {
  key: string;
  size: number;
  modifiedMs: number;
}

export interface Lake {
  readonly kind: 'folder' | 's3';
  /** Human-readable location, e.g. a folder path or s3://bucket. */
  readonly location: string;
  /** A path on local disk where a writer (DuckDB) may create a file before put(). */
  scratchPath(name: string): string;
  /** Moves or uploads a finished local file to `key`; durable when it resolves. Replaces an existing key. */
  put(key: string, localFile: string): Promise<void>;
  list(prefix: string): Promise<LakeObject[]>;
  /** Size in bytes of one object. */
  size(key: string): Promise<number>;
  /** Bytes of an object, or a byte range [start, end) of it. */
  read(key: string, range?: { start: number; end: number }): Promise<Uint8Array>;
  delete(keys: readonly string[]): Promise<void>;
  /** Local paths DuckDB can read for these keys (the folder itself, or a download cache). */
  localPaths(keys: readonly string[]): Promise<string[]>;
}
