import fs from 'node:fs';

/**
 * Rows in PostgreSQL's binary COPY format, written to a local file in pieces: each piece is a
 * whole COPY stream of its own (signature, rows, trailer) of about `pieceBytes`, so a loader can
 * send one piece per COPY statement and never hold more than one piece in memory. Binary, not CSV:
 * the server takes integers, timestamps and numerics as they are instead of parsing their text,
 * which is most of a load's CPU in PGlite.
 */

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8;
/** Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01T00:00:00Z. */
const PG_EPOCH_US = 946_684_800_000_000;
const TWO_32 = 4_294_967_296;

/** Where the pieces of a COPY file end, and how many rows it holds. */
export interface CopyFile {
  path: string;
  /** Byte offset just past each piece; piece i is [pieceEnds[i - 1] ?? 0, pieceEnds[i]). */
  pieceEnds: number[];
  rows: number;
}

export class CopyWriter {
  private buf: Buffer;
  private view: DataView;
  private pos = 0;
  private written = 0;
  private rowsInPiece = 0;
  private readonly fd: number;
  private readonly out: CopyFile;

  constructor(
    path: string,
    private readonly fields: number,
    private readonly pieceBytes = 4 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(pieceBytes + 64 * 1024);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.fd = fs.openSync(path, 'w');
    this.out = { path, pieceEnds: [], rows: 0 };
    this.startPiece();
  }

  /** Starts a row; its `fields` values follow, in column order. */
  row(): void {
    if (this.pos >= this.pieceBytes) this.endPiece();
    this.room(2);
    this.view.setInt16(this.pos, this.fields);
    this.pos += 2;
    this.rowsInPiece++;
    this.out.rows++;
  }

  nul(): void {
    this.room(4);
    this.view.setInt32(this.pos, -1);
    this.pos += 4;
  }

  text(s: string): void {
    this.room(4 + s.length * 3);
    const n = this.buf.write(s, this.pos + 4, 'utf8');
    this.view.setInt32(this.pos, n);
    this.pos += 4 + n;
  }

  /** Bytes already UTF-8 encoded (a value repeated on many rows, encoded once). */
  bytes(b: Uint8Array): void {
    this.room(4 + b.byteLength);
    this.view.setInt32(this.pos, b.byteLength);
    this.buf.set(b, this.pos + 4);
    this.pos += 4 + b.byteLength;
  }

  int2(v: number): void {
    this.room(6);
    this.view.setInt32(this.pos, 2);
    this.view.setInt16(this.pos + 4, v);
    this.pos += 6;
  }

  int4(v: number): void {
    this.room(8);
    this.view.setInt32(this.pos, 4);
    this.view.setInt32(this.pos + 4, v);
    this.pos += 8;
  }

  /** A whole number within ±2^53 as int8. */
  int8(v: number): void {
    this.room(12);
    const hi = Math.floor(v / TWO_32);
    this.view.setInt32(this.pos, 8);
    this.view.setInt32(this.pos + 4, hi);
    this.view.setUint32(this.pos + 8, v - hi * TWO_32);
    this.pos += 12;
  }

  /** A timestamptz from microseconds since the Unix epoch. */
  timestampUs(us: number): void {
    this.int8(us - PG_EPOCH_US);
  }

  /**
   * A numeric of scale 2 from a whole number of cents: the base-10000 digits PostgreSQL stores
   * (numeric_recv normalises them and checks the column's precision).
   */
  cents(cents: number): void {
    const negative = cents < 0;
    const abs = negative ? -cents : cents;
    const fraction = abs % 100;
    let whole = (abs - fraction) / 100;
    let wholeDigits = 0;
    for (let w = whole; w > 0; w = Math.floor(w / 10_000)) wholeDigits++;
    const ndigits = wholeDigits + 1;
    this.room(12 + ndigits * 2);
    const p = this.pos;
    this.view.setInt32(p, 8 + ndigits * 2);
    this.view.setInt16(p + 4, ndigits);
    this.view.setInt16(p + 6, wholeDigits - 1);
    this.view.setUint16(p + 8, negative ? 0x4000 : 0);
    this.view.setInt16(p + 10, 2);
    for (let i = wholeDigits - 1; i >= 0; i--) {
      this.view.setInt16(p + 12 + i * 2, whole % 10_000);
      whole = Math.floor(whole / 10_000);
    }
    this.view.setInt16(p + 12 + wholeDigits * 2, fraction * 100);
    this.pos = p + 12 + ndigits * 2;
  }

  /** Writes what is left and closes the file. */
  close(): CopyFile {
    if (this.rowsInPiece > 0) this.endPiece(false);
    fs.closeSync(this.fd);
    return this.out;
  }

  /** Closes and removes the file (a chunk given up half way). */
  discard(): void {
    fs.closeSync(this.fd);
    fs.rmSync(this.out.path, { force: true });
  }

  private startPiece(): void {
    SIGNATURE.copy(this.buf, 0);
    this.view.setInt32(SIGNATURE.length, 0); // flags
    this.view.setInt32(SIGNATURE.length + 4, 0); // header extension length
    this.pos = HEADER_BYTES;
    this.rowsInPiece = 0;
  }

  private endPiece(again = true): void {
    this.room(2);
    this.view.setInt16(this.pos, -1);
    this.pos += 2;
    fs.writeSync(this.fd, this.buf, 0, this.pos);
    this.written += this.pos;
    this.out.pieceEnds.push(this.written);
    if (again) this.startPiece();
  }

  /** A row never spans pieces: a long value grows the buffer instead. */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
  }
}

/** Where one piece lies in its file. */
export interface CopyPiece {
  path: string;
  start: number;
  end: number;
}

export function pieces(file: CopyFile): CopyPiece[] {
  return file.pieceEnds.map((end, i) => ({ path: file.path, start: file.pieceEnds[i - 1] ?? 0, end }));
}

/** One piece's bytes, read from its file. */
export function readPiece(piece: CopyPiece): Buffer {
  const fd = fs.openSync(piece.path, 'r');
  try {
    const bytes = Buffer.allocUnsafe(piece.end - piece.start);
    for (let got = 0; got < bytes.length;) {
      const n = fs.readSync(fd, bytes, got, bytes.length - got, piece.start + got);
      if (n === 0) throw new Error(`${piece.path} ends before its piece [${piece.start}, ${piece.end})`);
      got += n;
    }
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}
