/** What `accuracy --json=file` writes and scripts/calibrate.ts reads: distances, no similarities. */

/** One hard condition of one part. */
export interface ConditionDistances {
  /** All genuine pairs, including those whose probe had no face (they miss at every threshold). */
  genuinePairs: number;
  impostorPairs: number;
  /** Distances of the pairs whose probe was detected. */
  genuine: number[];
  impostors: number[];
}

export interface CalibrationDump {
  /** FaceModelVersion whose descriptors were measured (absent in files written before face model 8.0: 7.0). */
  faceModel?: string;
  /** Part ("tuning", "held-out") to condition to distances. */
  parts: Record<string, Record<string, ConditionDistances>>;
  /** The clean single-face photos' pairs (same person, different people); with --part=all only. */
  cleanPairs?: { same: number[]; different: number[] };
}
