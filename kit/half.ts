// IEEE 754 half floats (Node 20 has no Float16Array): the feature cache stores rows in 16 bits,
// half the disk of float32, with ~3 significant digits, which post-ReLU features keep easily.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → binary16 bits, rounded to nearest even; overflow → ±Infinity, NaN kept. */
export function toHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf or NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // too large: Infinity
  if (e <= 0) {
    if (e < -10) return sign; // too small even for a subnormal: ±0
    mant |= 0x800000; // subnormal: shift in the implicit bit
    const shift = 14 - e;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // a carry out of the mantissa moves into the exponent, which is the right result (up to Infinity)
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

/** binary16 bits → number. */
export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export function toHalf(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toHalfBits(values[i]!);
  return out;
}

/** Decodes `halves` into `out` from `offset`. */
export function fromHalf(halves: Uint16Array, out: Float32Array, offset = 0): void {
  for (let i = 0; i < halves.length; i++) out[offset + i] = fromHalfBits(halves[i]!);
}
