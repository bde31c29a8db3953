import { describe, expect, it } from 'vitest';
import { toCsv } from './csv';

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
});
