import { PulseError } from '../errors';
import { CsvSalesReader } from './csvSalesReader';

/**
 * Sales files read piece by piece (a file streamed from disk, or a browser's file slices), turned
 * into the records the topic gets. The stream validates them like live sales, so a record that is
 * not a valid sale is still sent (it lands in quarantine with its reason); what is refused here is
 * what is not a record at all: a broken file structure (fatal, with the line), or CSV rows that
 * cannot form a sale (reported with their lines, not sent).
 */

export type SalesFormat = 'ndjson' | 'json' | 'csv';
export const SALES_FORMATS: readonly SalesFormat[] = ['ndjson', 'json', 'csv'];

export interface SaleRecord {
  /** The record's value: the sale's JSON as the file has it (NDJSON, JSON), or built from CSV rows. */
  value: string;
  /** The store, for the partition (as live sales are keyed); '' when the record has none readable. */
  store: string;
  transactionId: string | null;
  line: number;
}

export interface ImportIssue {
  line: number;
  message: string;
}

export interface SalesReader {
  /** Records completed by this piece of text; problems go to `issues`, a broken structure to `fatal`. */
  push(text: string): SaleRecord[];
  end(): SaleRecord[];
  /** Set when the file's structure is broken: reading stops there (the records before it are whole). */
  readonly fatal: PulseError | null;
  readonly issues: ImportIssue[];
  /** Records whose text is not a JSON object (sent anyway: quarantined as malformed_json / not_an_object). */
  readonly unreadable: number;
}

export function salesReader(format: SalesFormat, file: string): SalesReader {
  return new Guarded(
    format === 'ndjson' ? new NdjsonReader() : format === 'json' ? new JsonArrayReader(file) : new CsvSalesReader(file),
  );
}

/** Turns a reader's throw into `fatal`, and reads nothing after it. */
class Guarded implements SalesReader {
  fatal: PulseError | null = null;

  constructor(private readonly inner: Omit<SalesReader, 'fatal'> & { fatal?: PulseError | null }) {}

  get issues(): ImportIssue[] {
    return this.inner.issues;
  }

  get unreadable(): number {
    return this.inner.unreadable;
  }

  push(text: string): SaleRecord[] {
    return this.guard(() => this.inner.push(text));
  }

  end(): SaleRecord[] {
    return this.guard(() => this.inner.end());
  }

  private guard(read: () => SaleRecord[]): SaleRecord[] {
    if (this.fatal) return [];
    try {
      const out = read();
      this.fatal = this.inner.fatal ?? null;
      return out;
    } catch (err) {
      this.fatal = err instanceof PulseError ? err : new PulseError('config_invalid', (err as Error).message);
      return [];
    }
  }
}

/** The format from the name, or else from the first characters of the file. */
export function detectFormat(name: string, head: string): SalesFormat {
  const ext = /\.([a-z]+)$/i.exec(name)?.[1].toLowerCase();
  const first = head.replace(/^\ufeff/, '').trimStart()[0];
  if (ext === 'csv') return 'csv';
  if (ext === 'ndjson' || ext === 'jsonl') return 'ndjson';
  if (first === '[') return 'json';
  if (first === '{') return 'ndjson';
  if (/^transaction_id\s*,/.test(head.replace(/^\ufeff/, ''))) return 'csv';
  throw new PulseError(
    'config_invalid',
    `${name}: cannot tell the format (not .csv, .ndjson, .jsonl or .json, and it starts with neither "[", "{" nor a CSV header): give --format ndjson|json|csv`,
    { field: 'format' },
  );
}

function peek(value: string): { store: string; transactionId: string | null } | null {
  try {
    const o = JSON.parse(value) as unknown;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
    const r = o as Record<string, unknown>;
    return {
      store: r.store_id === undefined || r.store_id === null ? '' : String(r.store_id),
      transactionId: typeof r.transaction_id === 'string' ? r.transaction_id : null,
    };
  } catch {
    return null;
  }
}

class NdjsonReader {
  readonly issues: ImportIssue[] = [];
  unreadable = 0;
  private rest = '';
  private line = 0;
  private sawRecord = false;

  push(text: string): SaleRecord[] {
    const out: SaleRecord[] = [];
    let data = this.rest + text;
    if (this.line === 0 && data.charCodeAt(0) === 0xfeff) data = data.slice(1);
    let start = 0;
    for (let nl = data.indexOf('\n'); nl >= 0; nl = data.indexOf('\n', start)) {
      this.take(data.slice(start, nl), out);
      start = nl + 1;
    }
    this.rest = data.slice(start);
    return out;
  }

  end(): SaleRecord[] {
    const out: SaleRecord[] = [];
    if (this.rest) this.take(this.rest, out);
    this.rest = '';
    return out;
  }

  private take(raw: string, out: SaleRecord[]): void {
    this.line++;
    const value = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!value.trim()) return;
    const p = peek(value);
    if (!p) {
      // A file that does not start with a JSON object is not NDJSON at all.
      if (!this.sawRecord)
        throw new PulseError(
          'config_invalid',
          `line ${this.line} is not a JSON object, so this is not an NDJSON sales file (one sale per line): ${JSON.stringify(value.slice(0, 60))}`,
          { field: 'format' },
        );
      this.unreadable++;
    }
    this.sawRecord = true;
    out.push({ value, store: p?.store ?? '', transactionId: p?.transactionId ?? null, line: this.line });
  }
}

/** A JSON array of sales, split into its elements without holding the file. */
class JsonArrayReader {
  readonly issues: ImportIssue[] = [];
  unreadable = 0;
  fatal: PulseError | null = null;
  private state: 'before' | 'between' | 'in' | 'after' = 'before';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private element = '';
  private line = 1;
  private elementLine = 1;
  private elements = 0;

  constructor(private readonly file: string) {}

  push(text: string): SaleRecord[] {
    const out: SaleRecord[] = [];
    try {
      this.scan(text, out);
    } catch (err) {
      this.fatal = err as PulseError;
    }
    return out;
  }

  private scan(text: string, out: SaleRecord[]): void {
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '\n') this.line++;
      if (this.state === 'in') {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === '\\') this.escaped = true;
          else if (c === '"') this.inString = false;
          continue;
        }
        if (c === '"') this.inString = true;
        else if (c === '{' || c === '[') this.depth++;
        else if (c === '}' || c === ']') {
          if (this.depth === 0) {
            this.finish(this.element + text.slice(from, i), out);
            this.state = 'after';
          } else this.depth--;
        } else if (c === ',' && this.depth === 0) {
          this.finish(this.element + text.slice(from, i), out);
          this.state = 'between';
        }
        continue;
      }
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\ufeff') continue;
      if (this.state === 'before') {
        if (c !== '[')
          this.fail(`a JSON sales file is an array of sales ([{…}, {…}]); it starts with ${JSON.stringify(c)}`);
        this.state = 'between';
      } else if (this.state === 'between') {
        if (c === ']') {
          if (this.elements > 0) this.fail('a "," before "]" (a trailing comma)');
          this.state = 'after';
          continue;
        }
        this.state = 'in';
        this.element = '';
        this.elementLine = this.line;
        from = i;
        i--; // read this character again as the element's first
      } else this.fail(`unexpected ${JSON.stringify(c)} after the end of the array`);
    }
    if (this.state === 'in') this.element += text.slice(from);
  }

  end(): SaleRecord[] {
    if (this.state !== 'after')
      this.fail(this.state === 'before' ? 'the file is empty' : 'the array is never closed (a truncated file?)');
    return [];
  }

  private finish(raw: string, out: SaleRecord[]): void {
    const value = raw.trim();
    this.element = '';
    this.depth = 0;
    this.elements++;
    if (!value) this.fail('an empty element (",," or "[,")');
    const p = peek(value);
    if (!p) this.unreadable++;
    out.push({ value, store: p?.store ?? '', transactionId: p?.transactionId ?? null, line: this.elementLine });
  }

  private fail(message: string): never {
    throw new PulseError('config_invalid', `${this.file} line ${this.line}: ${message}`, { field: 'file' });
  }
}
