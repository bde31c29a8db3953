import { PulseError } from '../errors';
import { CsvReader, type CsvRow } from '../util/csv';

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

const CSV_REQUIRED = [
  'transaction_id',
  'timestamp_utc',
  'store_id',
  'customer_id',
  'product_id',
  'quantity',
  'unit_price',
];
const SALE_FIELDS = ['timestamp_utc', 'store_id', 'customer_id', 'total_amount'] as const;
/** How many finished transactions a CSV reader remembers to notice rows of one that are apart. */
const RECENT_GROUPS = 100_000;

/** One row per sale line; consecutive rows of one transaction_id are one sale. */
class CsvSalesReader {
  readonly issues: ImportIssue[] = [];
  readonly unreadable = 0;
  private readonly csv = new CsvReader();
  private columns: Map<string, number> | null = null;
  private group: { id: string; rows: CsvRow[]; bad: boolean } | null = null;
  private readonly recent = new Map<string, number>();

  constructor(private readonly file: string) {}

  push(text: string): SaleRecord[] {
    return this.rows(this.csv.push(text));
  }

  end(): SaleRecord[] {
    const out = this.rows(this.csv.end());
    if (!this.columns)
      throw new PulseError('config_invalid', `${this.file}: the file is empty (expected a header row)`, {
        field: 'file',
      });
    this.close(out);
    return out;
  }

  private rows(rows: CsvRow[]): SaleRecord[] {
    const out: SaleRecord[] = [];
    for (const row of rows) {
      if (!this.columns) {
        this.header(row);
        continue;
      }
      const id = row.fields[this.columns.get('transaction_id')!]?.trim() ?? '';
      if (this.group && this.group.id !== id) this.close(out);
      if (!this.group) {
        const seen = this.recent.get(id);
        if (seen !== undefined)
          this.issue(
            row.line,
            `transaction ${id} continues here, but its rows stopped at line ${seen}: rows of one transaction must be consecutive (sort the file by transaction_id)`,
          );
        this.group = { id, rows: [], bad: seen !== undefined };
      }
      this.group.rows.push(row);
      if (row.error) {
        this.issue(row.line, row.error);
        this.group.bad = true;
      } else if (row.fields.length !== this.columns.size) {
        this.issue(row.line, `${row.fields.length} fields, the header has ${this.columns.size}`);
        this.group.bad = true;
      } else if (!id) {
        this.issue(row.line, 'transaction_id is empty');
        this.group.bad = true;
      }
    }
    return out;
  }

  private header(row: CsvRow): void {
    const names = row.fields.map((f) => f.trim());
    const missing = CSV_REQUIRED.filter((c) => !names.includes(c));
    if (missing.length || row.error)
      throw new PulseError(
        'config_invalid',
        `${this.file} line ${row.line}: ${row.error ?? `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`} (a CSV of sale lines has the header ${CSV_REQUIRED.join(',')}[,total_amount])`,
        { field: 'file' },
      );
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice)
      throw new PulseError('config_invalid', `${this.file} line ${row.line}: column ${twice} appears twice`, {
        field: 'file',
      });
    this.columns = new Map(names.map((n, i) => [n, i]));
  }

  /** The finished group becomes one sale, unless a row was bad or the rows disagree about the sale. */
  private close(out: SaleRecord[]): void {
    const g = this.group;
    this.group = null;
    if (!g) return;
    const last = g.rows[g.rows.length - 1].line;
    this.recent.set(g.id, last);
    if (this.recent.size > RECENT_GROUPS) this.recent.delete(this.recent.keys().next().value as string);
    if (g.bad) return;
    const col = (row: CsvRow, name: string): string | undefined => {
      const i = this.columns!.get(name);
      return i === undefined ? undefined : row.fields[i].trim();
    };
    const first = g.rows[0];
    for (const row of g.rows.slice(1))
      for (const f of SALE_FIELDS) {
        if (col(row, f) !== col(first, f)) {
          this.issue(
            row.line,
            `transaction ${g.id}: ${f} ${JSON.stringify(col(row, f))} differs from ${JSON.stringify(col(first, f))} on line ${first.line}`,
          );
          return;
        }
      }
    const products = g.rows.map((row) => ({
      product_id: typed(col(row, 'product_id')),
      quantity: typed(col(row, 'quantity')),
      unit_price: typed(col(row, 'unit_price')),
    }));
    const total = col(first, 'total_amount');
    const sale = {
      transaction_id: g.id,
      timestamp_utc: col(first, 'timestamp_utc') || null,
      store_id: typed(col(first, 'store_id')),
      customer_id: col(first, 'customer_id') || null,
      products,
      total_amount: total === undefined || total === '' ? sumOf(products) : typed(total),
    };
    out.push({
      value: JSON.stringify(sale),
      store: col(first, 'store_id') ?? '',
      transactionId: g.id,
      line: first.line,
    });
  }

  private issue(line: number, message: string): void {
    if (this.issues.length < 1000) this.issues.push({ line, message });
  }
}

/** A CSV cell as JSON: a number when it is one, else the text (the validator names a wrong type), null when empty. */
function typed(v: string | undefined): number | string | null {
  if (v === undefined || v === '') return null;
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

/** total_amount when the file has none: the lines' sum, in cents so it is exact. */
function sumOf(products: { quantity: unknown; unit_price: unknown }[]): number | null {
  let cents = 0;
  for (const p of products) {
    if (typeof p.quantity !== 'number' || typeof p.unit_price !== 'number') return null;
    cents += p.quantity * Math.round(p.unit_price * 100);
  }
  return cents / 100;
}
