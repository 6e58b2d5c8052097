// Small distributions on top of the seeded PRNG, so the simulator stays reproducible.
export type Rand = () => number;

/** Mixes numbers into one 32-bit seed (murmur3 finaliser), so each session gets its own stream. */
export function mix(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Standard normal (Box–Muller). */
export function normal(r: Rand): number {
  const u = 1 - r(); // (0, 1]: log stays finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/** Poisson count; Knuth for small means, a rounded normal for large ones (likes can be tens per second). */
export function poisson(r: Rand, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(r)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = r();
  while (p > limit) {
    k++;
    p *= r();
  }
  return k;
}

/** Binomial count, exact for small n and a clamped normal beyond. */
export function binomial(r: Rand, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (n > 60) {
    const x = Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal(r));
    return Math.min(n, Math.max(0, x));
  }
  let k = 0;
  for (let i = 0; i < n; i++) if (r() < p) k++;
  return k;
}

/** Lower-case hex of the given length: an opaque, hash-looking reference. */
export function hex(r: Rand, length: number): string {
  let s = '';
  while (s.length < length) s += Math.floor(r() * 0x10000).toString(16).padStart(4, '0');
  return s.slice(0, length);
}
