import { describe, expect, it } from 'vitest';
import { chartColumns, toCsv } from './csv';

describe('CSV export', () => {
  it('writes a header and quotes what needs quoting', () => {
    expect(
      toCsv({
        columns: ['city', 'note', 'revenue'],
        rows: [
          ['Cairo', 'a "b", c', 12.5],
          ['Giza', null, 3],
        ],
      }),
    ).toBe('city,note,revenue\r\nCairo,"a ""b"", c",12.5\r\nGiza,,3\r\n');
  });
  it('charts the first text column against the first numeric one', () => {
    expect(chartColumns({ columns: ['city', 'category', 'revenue'], rows: [['Cairo', 'Dairy', 10]] })).toEqual({
      label: 0,
      value: 2,
    });
    expect(chartColumns({ columns: ['a'], rows: [['x']] })).toBeNull();
  });
});
