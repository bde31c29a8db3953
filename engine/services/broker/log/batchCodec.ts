import { crc32 } from 'node:zlib';
import type { BrokerRecord, ProduceMessage } from '../port';

/**
 * On-disk batch frame of the embedded log:
 *   magic u32 | baseOffset f64 | count u32 | payloadLen u32 | crc32(payload) u32 | appendMs f64 | payload
 * payload = count × (keyLen u16, 0xffff = null | key utf8 | valueLen u32 | value utf8).
 * A batch is written with one write() and fsynced before it is acknowledged; the CRC lets readers
 * and recovery tell a complete batch from a torn one.
 */
export const MAGIC = 0x52504c31; // "RPL1"
export const HEADER_BYTES = 32;
const NULL_KEY = 0xffff;

export interface BatchHeader {
  baseOffset: number;
  count: number;
  payloadLen: number;
  crc: number;
  appendMs: number;
}

export function encodeBatch(baseOffset: number, appendMs: number, messages: readonly ProduceMessage[]): Buffer {
  let size = 0;
  const keys: Buffer[] = new Array(messages.length);
  const values: Buffer[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    keys[i] = Buffer.from(messages[i].key, 'utf8');
    values[i] = Buffer.from(messages[i].value, 'utf8');
    size += 2 + keys[i].length + 4 + values[i].length;
  }
  const buf = Buffer.allocUnsafe(HEADER_BYTES + size);
  let pos = HEADER_BYTES;
  for (let i = 0; i < messages.length; i++) {
    buf.writeUInt16LE(keys[i].length, pos);
    pos += 2;
    pos += keys[i].copy(buf, pos);
    buf.writeUInt32LE(values[i].length, pos);
    pos += 4;
    pos += values[i].copy(buf, pos);
  }
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeDoubleLE(baseOffset, 4);
  buf.writeUInt32LE(messages.length, 12);
  buf.writeUInt32LE(size, 16);
  buf.writeUInt32LE(crc32(buf.subarray(HEADER_BYTES)), 20);
  buf.writeDoubleLE(appendMs, 24);
  return buf;
}

export function decodeHeader(buf: Buffer, at = 0): BatchHeader | null {
  if (buf.length - at < HEADER_BYTES || buf.readUInt32LE(at) !== MAGIC) return null;
  return {
    baseOffset: buf.readDoubleLE(at + 4),
    count: buf.readUInt32LE(at + 12),
    payloadLen: buf.readUInt32LE(at + 16),
    crc: buf.readUInt32LE(at + 20),
    appendMs: buf.readDoubleLE(at + 24),
  };
}

export function payloadIntact(header: BatchHeader, payload: Buffer): boolean {
  return payload.length === header.payloadLen && crc32(payload) === header.crc;
}

/** Decodes records with offset >= fromOffset, at most `max` of them, appending to `out`. */
export function decodeRecords(
  partition: number,
  header: BatchHeader,
  payload: Buffer,
  fromOffset: number,
  max: number,
  out: BrokerRecord[],
): void {
  let pos = 0;
  const end = Math.min(header.count, fromOffset - header.baseOffset + max);
  for (let i = 0; i < end; i++) {
    const keyLen = payload.readUInt16LE(pos);
    pos += 2;
    let key: string | null = null;
    if (keyLen !== NULL_KEY) {
      if (i >= fromOffset - header.baseOffset) key = payload.toString('utf8', pos, pos + keyLen);
      pos += keyLen;
    }
    const valueLen = payload.readUInt32LE(pos);
    pos += 4;
    if (i >= fromOffset - header.baseOffset) {
      out.push({
        partition,
        offset: header.baseOffset + i,
        timestamp: header.appendMs,
        key,
        value: payload.toString('utf8', pos, pos + valueLen),
      });
    }
    pos += valueLen;
  }
}
