/**
 * Face model 8.0's descriptor: an ArcFace-style net (512-d) on a 112-px chip aligned to the five-point
 * ArcFace template (eye centres, nose tip, mouth corners), averaged with the mirror chip's descriptor.
 *
 * The weights are `model/fr_feature.onnx` of the faceplugin-face-recognition-js npm package (MIT); nothing is
 * downloaded. They run on onnxruntime-node's CPU build, one single-threaded session per engine thread: the
 * pool already spreads images over the cores (neural-pool.ts).
 *
 * On the evaluation's tuning part this net misses 11 of 360 hard genuine pairs at the false-match limit,
 * where model 7.0's misses 37 (README.md, "Face model 8.0").
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { FACE_MODEL_8 } from "../face-models.ts";
import { unitVector } from "../vector-index.ts";
import { fitSimilarity, warpChip, type RgbPixels } from "./align-face.ts";
import { meanPoint, type Point } from "./landmarks.ts";

const ARCFACE_SIDE = 112;
/** The five-point ArcFace template in a 112-px chip (insightface's reference points, the net's training crop). */
const ARCFACE_TEMPLATE: readonly Point[] = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];

export interface ArcFaceNet {
  /** Unit 512-d descriptor of the face whose 68 iBUG landmarks (image pixels) are `points`. */
  describe(image: RgbPixels, points: readonly Point[]): Promise<Float32Array>;
  /** Refuses every later run (the run in flight completes), so that the thread can exit safely. */
  stop(): void;
}

export async function loadArcFaceNet(): Promise<ArcFaceNet> {
  const require = createRequire(import.meta.url);
  const modelFile = join(
    dirname(require.resolve("faceplugin-face-recognition-js/package.json")),
    "model",
    "fr_feature.onnx",
  );
  const session = await ort.InferenceSession.create(modelFile, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
  });
  const [inputName] = session.inputNames;
  const [outputName] = session.outputNames;
  let stopped = false;
  const run = async (input: Float32Array): Promise<Float32Array> => {
    if (stopped) throw new Error("the face engine thread is stopping");
    const feeds = { [inputName!]: new ort.Tensor("float32", input, [1, 3, ARCFACE_SIDE, ARCFACE_SIDE]) };
    const out = (await session.run(feeds))[outputName!]!.data as Float32Array;
    return unitVector(out, FACE_MODEL_8);
  };
  return {
    stop: () => void (stopped = true),
    async describe(image, points) {
      const five = [
        meanPoint(points, [36, 37, 38, 39, 40, 41]),
        meanPoint(points, [42, 43, 44, 45, 46, 47]),
        meanPoint(points, [30]),
        meanPoint(points, [48]),
        meanPoint(points, [54]),
      ];
      const chip = warpChip(image, fitSimilarity(ARCFACE_TEMPLATE, five), ARCFACE_SIDE);
      const plain = await run(netInput(chip, false));
      const mirrored = await run(netInput(chip, true));
      const sum = new Float32Array(FACE_MODEL_8.descriptorLength);
      for (let i = 0; i < sum.length; i++) sum[i] = plain[i]! + mirrored[i]!;
      return unitVector(sum, FACE_MODEL_8);
    },
  };
}

/** The chip (RGB, 0..255, row by row) as the net's planar input scaled to about -1..1, optionally mirrored. */
function netInput(chip: Float32Array, mirror: boolean): Float32Array {
  const plane = ARCFACE_SIDE * ARCFACE_SIDE;
  const input = new Float32Array(3 * plane);
  for (let y = 0; y < ARCFACE_SIDE; y++) {
    for (let x = 0; x < ARCFACE_SIDE; x++) {
      const from = (y * ARCFACE_SIDE + (mirror ? ARCFACE_SIDE - 1 - x : x)) * 3;
      const to = y * ARCFACE_SIDE + x;
      for (let c = 0; c < 3; c++) input[c * plane + to] = (chip[from + c]! - 127.5) / 128;
    }
  }
  return input;
}
