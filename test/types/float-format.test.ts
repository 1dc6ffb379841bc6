import { describe, expect, it } from 'vitest';
import { BufferWriter } from '../../src/protocol/buffer-writer.js';
import { formatFloat8, writeFloat8Field } from '../../src/types/format/numbers.js';

/** A deterministic xorshift generator, so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

describe('float8 text fast path', () => {
  it('prints exactly what the general formatter prints, for 300,000 values of every shape', () => {
    const r = rng(42);
    const w = new BufferWriter(64);
    const values: number[] = [];
    for (let i = 0; i < 100_000; i++) values.push(Math.round(r() * 1e6) / 100); // prices
    for (let i = 0; i < 100_000; i++) values.push((r() - 0.5) * 10 ** Math.floor(r() * 40 - 20)); // any magnitude
    for (let i = 0; i < 100_000; i++) values.push(Math.round((r() - 0.5) * 10 ** Math.floor(r() * 16)) / 10 ** Math.floor(r() * 9));
    let fast = 0;
    for (const v of values) {
      w.pos = 0;
      writeFloat8Field(w, v);
      const text = w.buf.toString('latin1', 4, w.pos);
      if (text !== formatFloat8(v)) expect(`${v} → ${text}`).toBe(`${v} → ${formatFloat8(v)}`);
      if (!text.includes('e') && text.replace(/^-/, '').replace('.', '').length < 15) fast++;
    }
    expect(fast).toBeGreaterThan(100_000);
  });
});
