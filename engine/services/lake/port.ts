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
  /**
   * Like put(), but only when `key` does not exist yet: true when this call created it, false when
   * the key was already there (the local file is then removed and the object left as it was). Two
   * writers racing for one key never both win (S3 If-None-Match, a hard link in a folder).
   */
  create(key: string, localFile: string): Promise<boolean>;
  /** Every object whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<LakeObject[]>;
  /**
   * The immediate "sub-folders" under `prefix` (S3 common prefixes for delimiter '/'): full key
   * prefixes ending in '/', sorted, each holding at least one object. Used to browse the layout.
   */
  listPrefixes(prefix: string): Promise<string[]>;
  /** Size in bytes of one object; PulseError 'not_found' when it does not exist (so do read and localPaths). */
  size(key: string): Promise<number>;
  /** Bytes of an object, or a byte range [start, end) of it (cut short at the end of the object). */
  read(key: string, range?: { start: number; end: number }): Promise<Uint8Array>;
  /** Removes these keys; keys that do not exist are not an error. */
  delete(keys: readonly string[]): Promise<void>;
  /** Local paths DuckDB can read for these keys (the folder itself, or a download cache). */
  localPaths(keys: readonly string[]): Promise<string[]>;
}
