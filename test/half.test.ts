// Half floats for the feature cache: exact where binary16 is exact, nearest-even rounding, and the
// edges (subnormals, overflow, NaN).
import { describe, expect, it } from 'vitest';
import { fromHalf, fromHalfBits, toHalf, toHalfBits } from '../kit/half.ts';

describe('binary16', () => {
  it('round-trips the values binary16 holds exactly', () => {
    for (const v of [0, 1, -1, 0.5, 2, 1024, 65504, -65504, 2 ** -14, 2 ** -24, 3.140625]) expect(fromHalfBits(toHalfBits(v))).toBe(v);
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff);
  });

  it('rounds to nearest, ties to even, within half a unit in the last place', () => {
    expect(fromHalfBits(toHalfBits(1 + 2 ** -11))).toBe(1); // tie → even (1.0)
    expect(fromHalfBits(toHalfBits(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9); // tie → even (…10)
    for (let i = 0; i < 2000; i++) {
      const v = (i * 7.3) % 300;
      const back = fromHalfBits(toHalfBits(v));
      expect(Math.abs(back - v)).toBeLessThanOrEqual(Math.max(v, 2 ** -14) * 2 ** -11 + 1e-12);
    }
  });

  it('handles overflow, subnormals and NaN', () => {
    expect(fromHalfBits(toHalfBits(1e6))).toBe(Number.POSITIVE_INFINITY);
    expect(fromHalfBits(toHalfBits(-1e6))).toBe(Number.NEGATIVE_INFINITY);
    expect(fromHalfBits(toHalfBits(1e-9))).toBe(0);
    expect(fromHalfBits(toHalfBits(3 * 2 ** -24))).toBe(3 * 2 ** -24);
    expect(Number.isNaN(fromHalfBits(toHalfBits(Number.NaN)))).toBe(true);
  });

  it('converts arrays both ways at an offset', () => {
    const src = Float32Array.from([0.25, 7, 100.5, 0]);
    const out = new Float32Array(6);
    fromHalf(toHalf(src), out, 2);
    expect(Array.from(out)).toEqual([0, 0, 0.25, 7, 100.5, 0]);
  });
});
