/**
 * mulberry32: a small, fast, seedable generator (Math.random cannot be seeded). The same seed gives the same
 * sequence on every machine and build: int8 rows' graph sketch (rows/int8-rows.ts) depends on that, and so do
 * the synthetic faces of the benches and tests.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
