/**
 * Head pose in degrees from the 68 landmarks, with simple geometry (no 3-D model fit):
 * - roll: angle of the line between the eye centres (positive = clockwise in the picture);
 * - yaw: where the nose tip sits between the two jaw corners (points 0 and 16) after undoing roll;
 *   centred = 0, at a corner = ±90: yaw = asin(2r - 1), r = (nose - jawLeft) / (jawRight - jawLeft);
 * - pitch: where the nose tip sits between the eye line and the chin (point 8), relative to the
 *   ratio of a frontal face (NEUTRAL_NOSE_RATIO); pitch = asin((q - neutral) / PITCH_RANGE).
 * Good enough to tell frontal from turned faces (EXTREME_POSE), not for measuring angles precisely.
 */
import { meanPoint, type Point } from "./landmarks.ts";

/** Nose-tip height between eye line (0) and chin (1) on a frontal face; the mean over the fixtures' frontal photos. */
export const NEUTRAL_NOSE_RATIO = 0.35;
/** Change of that ratio between a frontal face and one tipped 90 degrees (a rough projection estimate). */
const PITCH_RANGE = 0.35;

export interface HeadPose {
  roll: number;
  yaw: number;
  pitch: number;
}

export function headPose(points: readonly Point[]): HeadPose {
  const eyeA = meanPoint(points, [36, 37, 38, 39, 40, 41]);
  const eyeB = meanPoint(points, [42, 43, 44, 45, 46, 47]);
  const rollRad = Math.atan2(eyeB.y - eyeA.y, eyeB.x - eyeA.x);
  const centre = { x: (eyeA.x + eyeB.x) / 2, y: (eyeA.y + eyeB.y) / 2 };
  // Rotate every point by -roll around the eye centre so that the eye line is horizontal.
  const cos = Math.cos(-rollRad);
  const sin = Math.sin(-rollRad);
  const level = (i: number): Point => {
    const p = meanPoint(points, [i]);
    const dx = p.x - centre.x;
    const dy = p.y - centre.y;
    return { x: dx * cos - dy * sin, y: dx * sin + dy * cos };
  };
  const nose = level(30);
  const jawLeft = level(0);
  const jawRight = level(16);
  const chin = level(8);
  const r = (nose.x - jawLeft.x) / (jawRight.x - jawLeft.x || 1);
  const q = nose.y / (chin.y || 1);
  return {
    roll: degrees(rollRad),
    yaw: degrees(Math.asin(clampUnit(2 * r - 1))),
    pitch: degrees(Math.asin(clampUnit((q - NEUTRAL_NOSE_RATIO) / PITCH_RANGE))),
  };
}

function clampUnit(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(-1, v)) : 0;
}

function degrees(rad: number): number {
  return (rad * 180) / Math.PI;
}
