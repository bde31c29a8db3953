/**
 * A streaming CSV reader (RFC 4180): comma-separated, fields in double quotes may hold commas,
 * quotes ("") and line breaks; LF or CRLF; a UTF-8 byte-order mark is dropped. Text comes in pieces
 * of any size (a file read in chunks, a browser's file slices) and whole rows come out, each with the
 * line number it starts on, so an error can name it.
 */

export interface CsvRow {
  /** 1-based line of the file the row starts on. */
  line: number;
  fields: string[];
  /** Set when the row is malformed (a stray quote); `fields` is then what could be read. */
  error?: string;
}

export class CsvReader {
  private field = '';
  private fields: string[] = [];
  private inQuotes = false;
  /** Just closed a quoted field: only a comma or the end of the row may follow. */
  private afterQuote = false;
  /** A quote seen inside quotes: either "" (a quote) or the field's end, decided by the next char. */
  private quotePending = false;
  private pendingCr = false;
  private line = 1;
  private rowLine = 1;
  private rowError: string | undefined;
  private started = false;
  private rowHasData = false;

  /** Rows completed by this piece of text. */
  push(text: string): CsvRow[] {
    const out: CsvRow[] = [];
    let i = 0;
    if (!this.started && text.length) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    const n = text.length;
    for (; i < n; i++) {
      let c = text.charCodeAt(i);
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === 10) continue; // CRLF: the row already ended at CR
      }
      if (this.quotePending) {
        this.quotePending = false;
        if (c === 34) {
          this.field += '"';
          continue;
        }
        this.inQuotes = false;
        this.afterQuote = true;
      }
      if (this.inQuotes) {
        // Everything up to the next quote is the field's text.
        const q = text.indexOf('"', i);
        const end = q < 0 ? n : q;
        const part = text.slice(i, end);
        for (let k = part.indexOf('\n'); k >= 0; k = part.indexOf('\n', k + 1)) this.line++;
        this.field += part;
        if (q >= 0) this.quotePending = true;
        i = end;
        continue;
      }
      if (c === 44 /* , */) {
        this.endField();
      } else if (c === 10 || c === 13) {
        if (c === 13) this.pendingCr = true;
        this.endRow(out);
        this.line++;
        this.rowLine = this.line;
      } else if (this.afterQuote) {
        this.rowError ??= `unexpected ${JSON.stringify(text[i])} after a closing quote`;
      } else if (c === 34 && this.field === '') {
        this.inQuotes = true;
        this.rowHasData = true;
      } else {
        // A run of plain characters (a quote inside an unquoted field is kept as it is).
        const start = i;
        do c = text.charCodeAt(++i);
        while (i < n && c !== 44 && c !== 10 && c !== 13);
        this.field += text.slice(start, i);
        this.rowHasData = true;
        i--;
      }
    }
    return out;
  }

  /** The last row (a file need not end with a line break); an open quote is an error. */
  end(): CsvRow[] {
    const out: CsvRow[] = [];
    if (this.quotePending) {
      this.quotePending = false;
      this.inQuotes = false;
      this.afterQuote = true;
    }
    if (this.inQuotes) {
      this.rowError ??= 'a quoted field is never closed (a missing ")';
      this.inQuotes = false;
    }
    this.endRow(out);
    return out;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.afterQuote = false;
    this.rowHasData = true;
  }

  private endRow(out: CsvRow[]): void {
    // A blank line is no row.
    if (this.rowHasData || this.fields.length) {
      this.fields.push(this.field);
      const row: CsvRow = { line: this.rowLine, fields: this.fields };
      if (this.rowError) row.error = this.rowError;
      out.push(row);
    }
    this.field = '';
    this.fields = [];
    this.afterQuote = false;
    this.rowError = undefined;
    this.rowHasData = false;
  }
}

/** Every row of a whole CSV text. */
export function readCsv(text: string): CsvRow[] {
  const r = new CsvReader();
  return [...r.push(text), ...r.end()];
}
