/**
 * Biometric figures from similarity scores (0..100, higher = more alike), as ISO/IEC 19795 and NIST FRVT
 * define them. A probe in which no face was found scores -1: it fails every threshold, so detection
 * failures count against TAR and FNIR instead of being left out.
 */

/** The lowest threshold at which at most `rate` of the impostor scores reach it (score >= threshold is a match). */
export function thresholdAt(impostors: number[], rate: number): number {
  const sorted = [...impostors].sort((a, b) => b - a);
  const allowed = Math.floor(rate * sorted.length);
  // Scores tied with the first one past the allowance would also pass: step just above it.
  const next = sorted[allowed];
  return next === undefined ? -Infinity : next + 1e-9;
}

/** True-accept rate at the threshold where the false-accept rate is at most `far`. */
export function tarAtFar(genuine: number[], impostors: number[], far: number): number {
  const t = thresholdAt(impostors, far);
  return genuine.filter((s) => s >= t).length / genuine.length;
}

export interface Search {
  /** Best gallery score, and whether that entry is the probe's mate. */
  top: number;
  topIsMate: boolean;
}

export function rank1(mated: Search[]): number {
  return mated.filter((s) => s.topIsMate && s.top >= 0).length / mated.length;
}

/**
 * FNIR at the threshold where at most `fpir` of non-mated searches return anything: a mated search is a
 * miss unless its mate is the top candidate and scores at least the threshold.
 */
export function fnirAtFpir(mated: Search[], nonMated: number[], fpir: number): number {
  const t = thresholdAt(nonMated, fpir);
  return mated.filter((s) => !(s.topIsMate && s.top >= t)).length / mated.length;
}

export const pct = (v: number, digits = 1): string => (Number.isFinite(v) ? (100 * v).toFixed(digits) : "-");
