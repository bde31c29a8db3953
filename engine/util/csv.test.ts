import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvReader, readCsv } from './csv';

describe('CSV reader', () => {
  it('reads quoted fields with commas, quotes and line breaks, CRLF or LF, and numbers the lines', () => {
    const text =
      '\ufeffid,name\r\n1,"Mall of Arabia, 6th of October"\r\n2,"The ""Point"" 90"\n3,"two\nlines"\n\n4,last';
    assert.deepEqual(readCsv(text), [
      { line: 1, fields: ['id', 'name'] },
      { line: 2, fields: ['1', 'Mall of Arabia, 6th of October'] },
      { line: 3, fields: ['2', 'The "Point" 90'] },
      { line: 4, fields: ['3', 'two\nlines'] },
      { line: 7, fields: ['4', 'last'] },
    ]);
  });

  it('gives the same rows whatever the pieces the text arrives in', () => {
    const text = 'a,b,c\r\n"x,""y""\r\nz",2,\r\n,,\n"q"\r\n';
    const whole = readCsv(text);
    for (let size = 1; size <= text.length; size++) {
      const r = new CsvReader();
      const rows = [];
      for (let i = 0; i < text.length; i += size) rows.push(...r.push(text.slice(i, i + size)));
      rows.push(...r.end());
      assert.deepEqual(rows, whole, `pieces of ${size}`);
    }
    assert.deepEqual(whole[1], { line: 2, fields: ['x,"y"\r\nz', '2', ''] });
    assert.deepEqual(whole[2], { line: 4, fields: ['', '', ''] });
  });

  it('names a malformed row instead of guessing', () => {
    const rows = readCsv('id,name\n1,"Cairo" Festival\n2,"open');
    assert.equal(rows[1].error, 'unexpected " " after a closing quote');
    assert.equal(rows[1].line, 2);
    assert.equal(rows[2].error, 'a quoted field is never closed (a missing ")');
    assert.equal(rows[2].line, 3);
  });
});
