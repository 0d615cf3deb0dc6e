/**
 * One neural engine (runs inside one worker thread): decode, detect with SSD-MobileNetV1, then 68
 * landmarks and a 128-d descriptor per face, mapped to the engine's own types.
 *
 * Two passes: the image as it is first; only when that finds no convincing face, again with a grey
 * border around it. The detector misses faces that fill the frame (selfies, ID crops) unless padded,
 * but padding every image shrinks the faces of group photos and costs them confidence (README.md,
 * "Padding"), so the border is the fallback, not the default.
 */
import { decodeImage, type DecodedImage } from "../decode-image.ts";
import type { AnalysedImage, DetectedFace } from "../types.ts";
import { unitVector } from "../vector-index.ts";
import { faceQuality } from "./face-quality.ts";
import { headPose } from "./head-pose.ts";
import { clamp01, rekognitionLandmarks, type Point } from "./landmarks.ts";
import { loadFaceApi, type FaceApi } from "./load-face-api.ts";

export interface NeuralAnalyserOptions {
  /** Border on each side, as a fraction of the image side, for the fallback pass (0 = no fallback). */
  padRatio?: number;
  /** Detector score (0..1) below which a box is dropped: low enough that weak faces are reported and
   * then rejected by the quality filter as LOW_CONFIDENCE, high enough for no faces on noface/. */
  minDetectionScore?: number;
  /** Longest side the image is decoded at; larger photos are downscaled to bound time and memory. */
  maxSide?: number;
}

export const DEFAULT_PAD_RATIO = 0.25;
export const DEFAULT_MIN_DETECTION_SCORE = 0.3;
/** Below this best score on the plain image, the padded pass runs too (a selfie scores ~0 unpadded). */
const FALLBACK_BELOW_SCORE = 0.5;
/** 2048 px keeps a face that is 2% of a 12 MP group photo's width above 40 px. */
export const DEFAULT_MAX_SIDE = 2048;
/** Rekognition returns at most 100 faces per image. */
const MAX_FACES = 100;
/** Neutral grey: it gives the detector no edges to mistake for a face. */
const PAD_VALUE = 128;

export interface NeuralAnalyser {
  analyse(image: Uint8Array): Promise<AnalysedImage>;
}

export async function createNeuralAnalyser(options: NeuralAnalyserOptions = {}): Promise<NeuralAnalyser> {
  const faceapi = await loadFaceApi();
  const padRatio = options.padRatio ?? DEFAULT_PAD_RATIO;
  const detectorOptions = new faceapi.SsdMobilenetv1Options({
    minConfidence: options.minDetectionScore ?? DEFAULT_MIN_DETECTION_SCORE,
    maxResults: MAX_FACES,
  });
  const maxSide = options.maxSide ?? DEFAULT_MAX_SIDE;
  const best = (faces: DetectedFace[]): number => Math.max(0, ...faces.map((f) => f.confidence));

  return {
    async analyse(bytes) {
      const image = await decodeImage(bytes, maxSide);
      let faces = await detectFaces(faceapi, detectorOptions, image, 0);
      if (padRatio > 0 && best(faces) < FALLBACK_BELOW_SCORE * 100) {
        const padded = await detectFaces(faceapi, detectorOptions, image, padRatio);
        if (best(padded) > best(faces)) faces = padded;
      }
      faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
      return { format: image.format, width: image.width, height: image.height, faces };
    },
  };
}

async function detectFaces(
  faceapi: FaceApi,
  detectorOptions: InstanceType<FaceApi["SsdMobilenetv1Options"]>,
  image: DecodedImage,
  padRatio: number,
): Promise<DetectedFace[]> {
  const tf = faceapi.tf;
  const w = image.pixelsWide;
  const h = image.pixelsHigh;
  const padX = Math.round(w * padRatio);
  const padY = Math.round(h * padRatio);
  const input = tf.tidy(() => {
    const pixels = tf.tensor3d(image.rgb, [h, w, 3], "int32");
    return padX || padY
      ? tf.pad(
          pixels,
          [
            [padY, padY],
            [padX, padX],
            [0, 0],
          ],
          PAD_VALUE,
        )
      : pixels;
  });
  let results;
  try {
    results = await faceapi.detectAllFaces(input, detectorOptions).withFaceLandmarks().withFaceDescriptors();
  } finally {
    input.dispose();
  }
  const toRatio = (p: Point): Point => ({ x: (p.x - padX) / w, y: (p.y - padY) / h });
  const faces: DetectedFace[] = [];
  for (const result of results) {
    const b = result.detection.box;
    const x0 = clamp01((b.x - padX) / w);
    const y0 = clamp01((b.y - padY) / h);
    const x1 = clamp01((b.x + b.width - padX) / w);
    const y1 = clamp01((b.y + b.height - padY) / h);
    if (x1 <= x0 || y1 <= y0) continue; // entirely in the border: not in the photo
    const points = result.landmarks.positions.map((p) => toRatio({ x: p.x, y: p.y }));
    const quality = await faceQuality(
      { rgb: image.rgb, width: w, height: h },
      { left: x0 * w, top: y0 * h, width: (x1 - x0) * w, height: (y1 - y0) * h },
    );
    faces.push({
      box: { left: x0, top: y0, width: x1 - x0, height: y1 - y0 },
      confidence: result.detection.score * 100,
      landmarks: rekognitionLandmarks(points, (p) => p),
      // Pose from pixel positions: ratios would distort angles on non-square images.
      pose: headPose(points.map((p) => ({ x: p.x * image.width, y: p.y * image.height }))),
      quality: { brightness: quality.brightness, sharpness: quality.sharpness },
      descriptor: unitVector(result.descriptor),
    });
  }
  return faces;
}
