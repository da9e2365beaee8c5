// Seeded randomness, one generator for the whole project: every synthetic frame is a pure function
// of (seed, key), so adding a character or a combo never changes the frames of the others; random
// weights and splits come from the same generator, seeded by their own schemes (kept bit-exact:
// changing either would change the synthetic frames or the demo model).

/** 32-bit FNV-1a of a string, mixed with a numeric seed. */
export function hashKey(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  h = Math.imul(h ^ ((seed / 0x100000000) >>> 0), 0x01000193) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return mix32(h);
}

/** A finaliser (murmur3 fmix32) so nearby inputs give unrelated outputs. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** mulberry32: small, fast, good enough for scene parameters. */
export class Rng {
  private state: number;
  /** Scene parameters: the seed is mixed first, so seeds 1, 2, 3 start far apart. */
  constructor(seed: number) {
    this.state = mix32(seed >>> 0) || 0x9e3779b9;
  }
  /** The raw mulberry32 scheme (state = seed as given), as weight init has always used. */
  static fromState(state: number): Rng {
    const rng = new Rng(0);
    rng.state = state >>> 0;
    return rng;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(lo: number, hiExclusive: number): number {
    return lo + Math.floor((hiExclusive - lo) * this.next());
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Symmetric jitter in [-amount, amount]. */
  jitter(amount: number): number {
    return (this.next() * 2 - 1) * amount;
  }
}

/** Weight init: raw mulberry32 from the seed; same seed → same weights everywhere. */
export function seededRandom(seed: number): () => number {
  const rng = Rng.fromState(seed);
  return () => rng.next();
}
