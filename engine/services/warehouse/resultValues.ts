/**
 * How a query result's values are decoded from PostgreSQL's text format, the same table for PGlite
 * and the PostgreSQL server, so one query gives identical rows on both. Every value survives both
 * postMessage and JSON (the web bridge), and nothing is rounded:
 * - int2/int4/oid/float4/float8 → number; bool → boolean; json/jsonb → parsed JSON
 * - int8 → number while it is a safe integer, else its exact decimal string
 * - numeric → string, exactly as PostgreSQL prints it ('1234.50'): money must not become a float
 * - date → 'YYYY-MM-DD'; timestamptz → ISO 8601 in UTC with PostgreSQL's microseconds
 *   ('2026-03-01T10:15:00.123456Z'); timestamp → the same without 'Z'
 * - arrays of those → arrays; anything else (interval, uuid, bytea, time, …) → PostgreSQL's text.
 * Sessions run with TimeZone UTC and DateStyle ISO, so the text is the same on every server.
 */

export const SESSION_SETTINGS = { TimeZone: 'UTC', DateStyle: 'ISO, MDY', IntervalStyle: 'postgres' } as const;

type Parse = (text: string) => unknown;

const toNumber: Parse = (t) => Number(t);
const toInt8: Parse = (t) => {
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : t;
};
const toBool: Parse = (t) => t === 't' || t === 'true';
const toJson: Parse = (t) => JSON.parse(t);
const asText: Parse = (t) => t;
const TS = /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)(\+00)?$/;
const toTimestamp: Parse = (t) => {
  const m = TS.exec(t);
  return m ? `${m[1]}T${m[2]}${m[3] ? 'Z' : ''}` : t;
};

/** Scalar type OID → parser, and the OID of its array type. */
const SCALARS: [oid: number, arrayOid: number, parse: Parse][] = [
  [16, 1000, toBool],
  [20, 1016, toInt8],
  [21, 1005, toNumber],
  [23, 1007, toNumber],
  [26, 1028, toNumber],
  [700, 1021, toNumber],
  [701, 1022, toNumber],
  [1700, 1231, asText],
  [1082, 1182, asText],
  [1114, 1115, toTimestamp],
  [1184, 1185, toTimestamp],
  [114, 199, toJson],
  [3802, 3807, toJson],
  [25, 1009, asText],
  [1043, 1015, asText],
  [1042, 1014, asText],
  [19, 1003, asText],
  [2950, 2951, asText],
];

export const VALUE_PARSERS: ReadonlyMap<number, Parse> = new Map(
  SCALARS.flatMap(([oid, arrayOid, parse]) => [
    [oid, parse],
    [arrayOid, (t: string) => parseArray(t, parse)],
  ]),
);

/** The parser for a column type: the table above, or PostgreSQL's text. */
export function parserFor(oid: number): Parse {
  return VALUE_PARSERS.get(oid) ?? asText;
}

/** A PostgreSQL array literal ('{1,2}', '{{a,"b c"},{NULL,d}}', '[0:1]={x,y}') → nested arrays. */
export function parseArray(text: string, parse: Parse): unknown[] {
  let i = text.startsWith('[') ? text.indexOf('=') + 1 : 0;
  const read = (): unknown[] => {
    const out: unknown[] = [];
    i++; // '{'
    while (i < text.length) {
      const c = text[i];
      if (c === '}') {
        i++;
        return out;
      }
      if (c === ',') {
        i++;
      } else if (c === '{') {
        out.push(read());
      } else if (c === '"') {
        let s = '';
        for (i++; text[i] !== '"'; i++) s += text[i] === '\\' ? text[++i] : text[i];
        i++;
        out.push(parse(s));
      } else {
        let j = i;
        while (text[j] !== ',' && text[j] !== '}') j++;
        const s = text.slice(i, j);
        out.push(s === 'NULL' ? null : parse(s));
        i = j;
      }
    }
    return out;
  };
  return read();
}
