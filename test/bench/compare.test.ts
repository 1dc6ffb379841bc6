import { describe, expect, it } from 'vitest';
import { cellsEqual, cellText, compareResults, describeComparison } from '../../src/bench/compare.js';

describe('benchmark result comparison', () => {
  it('compares numbers across PostgreSQL numeric text and DuckDB doubles within tolerance', () => {
    expect(cellsEqual('16.7025742620103261', 16.702574262010326)).toBe(true);
    expect(cellsEqual('0.05000000000000000000', '0.05')).toBe(true);
    expect(cellsEqual('1995', 1995)).toBe(true);
    expect(cellsEqual('22.83793076340208', '16.7025742620103261')).toBe(false);
    expect(cellsEqual('100.00', '100.01')).toBe(false);
  });

  it('compares text exactly, ignoring the blank padding of char(n)', () => {
    expect(cellsEqual('BRAZIL   ', 'BRAZIL')).toBe(true);
    expect(cellsEqual('BRAZIL', 'brazil')).toBe(false);
    expect(cellsEqual('1995-01-01', '1995-01-02')).toBe(false);
    expect(cellText(true)).toBe('t');
  });

  it('treats NULL as equal only to NULL', () => {
    expect(cellsEqual(null, null)).toBe(true);
    expect(cellsEqual(null, '0')).toBe(false);
    expect(cellsEqual('', null)).toBe(false);
  });

  it('reports differing cells with their position', () => {
    const c = compareResults([['A', '1.5'], ['B', '2']], [['A', '1.5'], ['B', '3']]);
    expect(c.equal).toBe(false);
    expect(c.mismatches).toEqual([{ row: 1, column: 1, expected: '2', actual: '3' }]);
    expect(describeComparison(c)).toBe('row 2 column 2: "3", expected "2"');
  });

  it('reports a different row count', () => {
    const c = compareResults([['A'], ['B']], [['A']]);
    expect(c.equal).toBe(false);
    expect(describeComparison(c)).toBe('row count 1, expected 2');
  });

  it('recognises the same rows in another order (ties in ORDER BY)', () => {
    const c = compareResults([['A', '1'], ['B', '1']], [['B', '1.0000000001'], ['A', '1']]);
    expect(c.equal).toBe(false);
    expect(c.sameRowsOtherOrder).toBe(true);
    expect(describeComparison(c)).toBe('same rows in another order');
  });

  it('accepts identical results', () => {
    const c = compareResults([['x', 1, null]], [['x', '1', null]]);
    expect(c.equal).toBe(true);
    expect(describeComparison(c)).toBe('equal');
  });
});
