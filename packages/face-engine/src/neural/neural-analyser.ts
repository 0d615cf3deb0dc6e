/**
 * One neural engine (runs inside one worker thread): decode, detect with SSD-MobileNetV1, 68 landmarks,
 * then per face an aligned, mirror-averaged descriptor of the face model asked for (7.0: face-api's 128-d net,
 * describe-face.ts; 8.0: the 512-d ArcFace-style net, arcface-descriptor.ts), mapped to the engine's own types.
 *
 * Detection passes: first the Tiny Face Detector (about a fifth of SSD's cost), accepted only when it
 * finds one large, convincing face, the portrait or selfie of a KYC capture; otherwise SSD on the image as
 * it is; only when that finds no convincing face, again with a grey border, then on a shrunken copy with
 * a wider border; and when even those find nothing, the Tiny Face Detector on a contrast-stretched copy with
 * no, a grey and a wide border (over-exposed selfies and flat ID crops, which SSD misses at any border);
 * last, the same detector on a copy with darkened mid-tones (over-exposed faces whose skin is clipped to white).
 * The detector misses faces that fill the frame
 * (selfies, ID crops) unless padded, but padding every image shrinks the faces of group photos and costs
 * them confidence (README.md, "Padding"), so the borders are the fallback, not the default.
 */
import { decodeImage, type DecodedImage } from "../decode-image.ts";
import type { AnalysedImage, AnalyseOptions, DetectedFace } from "../types.ts";
import { unitVector } from "../vector-index.ts";
import { CHIP_SIDE } from "./align-face.ts";
import { FACE_MODEL_7, LATEST_FACE_MODEL, requireFaceModel, type FaceModel } from "../face-models.ts";
import { loadArcFaceNet, type ArcFaceNet } from "./arcface-descriptor.ts";
import { alignedChip, describeAligned, refineLandmarks } from "./describe-face.ts";
import { faceAttributes } from "./face-attributes.ts";
import { faceQuality } from "./face-quality.ts";
import { darkenMidtones } from "./darken-midtones.ts";
import { stretchContrast } from "./stretch-contrast.ts";
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
  /** Align the recognition chip on eyes and mouth (default); false = face-api's box crop, as before. */
  align?: boolean;
  /** Average face model 7.0's descriptor with the mirror image's (default; only with align). 8.0 always does. */
  mirror?: boolean;
  /**
   * Re-find the landmarks of a face that fills the frame too, and average every re-found set (tilted heads'
   * as well) with the set found on the mirror image (default; only with align). Off: tilted heads only, unaveraged.
   */
  fullFrameLandmarks?: boolean;
  /** A third detection pass on a shrunken, wider-bordered copy when the first two find nothing (default). */
  rescue?: boolean;
  /** Last, the Tiny Face Detector on a contrast-stretched copy when SSD found nothing (default; only with align). */
  contrastRescue?: boolean;
  /** Last of all, the Tiny Face Detector on a copy with darkened mid-tones when nothing scored 0.5 (default; only with align). */
  darkRescue?: boolean;
  /** Try the Tiny Face Detector before SSD (default); false = SSD on every image, as before. */
  fastFirst?: boolean;
}

export const DEFAULT_PAD_RATIO = 0.25;
export const DEFAULT_MIN_DETECTION_SCORE = 0.3;
/** Below this best score, the next detection pass runs too (a selfie scores ~0 unpadded). */
const FALLBACK_BELOW_SCORE = 0.5;
/** The rescue pass: the image at half size on a canvas twice as large, so a face that fills the frame is small. */
const RESCUE_PAD_RATIO = 0.5;
/** Input side for the Tiny Face Detector: 320 finds a face that is a quarter of the image at a fraction of 416's cost. */
const TINY_INPUT_SIDE = 320;
/** The fast pass is kept only for one face at least this sure ... */
const TINY_ACCEPT_SCORE = 0.6;
/** ... whose box is at least this share of the image's shorter side (a portrait, not a group photo). */
const TINY_ACCEPT_SIDE = 0.3;
/** The contrast rescue: a face found on the stretched copy must be at least this sure (no faces on noface/). */
const CONTRAST_RESCUE_SCORE = 0.5;
/** Borders of the contrast rescue's passes: a face filling a tight crop needs one to be seen. */
const CONTRAST_RESCUE_PADS = [0, DEFAULT_PAD_RATIO, RESCUE_PAD_RATIO];
/**
 * The dark rescue's curve (gamma 2 and 3 were measured on the evaluation's tuning part, 3 kept) and borders. Only
 * the Tiny Face Detector at CONTRAST_RESCUE_SCORE: SSD on the darkened copy also took shirt-and-tie crops of
 * portraits for faces (scores up to 0.59), where on the original pixels it scores them 0.05-0.21. It runs only
 * where nothing else found a face, so portraits never pay for it.
 */
const DARK_RESCUE_GAMMA = 3;
const DARK_RESCUE_PADS = [0, DEFAULT_PAD_RATIO];
/** 2048 px keeps a face that is 2% of a 12 MP group photo's width above 40 px. */
export const DEFAULT_MAX_SIDE = 2048;
/** Rekognition returns at most 100 faces per image. */
const MAX_FACES = 100;
/** Neutral grey: it gives the detector no edges to mistake for a face. */
const PAD_VALUE = 128;

export interface NeuralAnalyser {
  analyse(image: Uint8Array, options?: AnalyseOptions): Promise<AnalysedImage>;
  /** Starts no more onnxruntime runs: an analysis in flight fails at its next one (the thread is being retired). */
  stop(): void;
}

type DetectorOptions =
  InstanceType<FaceApi["SsdMobilenetv1Options"]> | InstanceType<FaceApi["TinyFaceDetectorOptions"]>;

/** A detection in image pixels, before it is described. */
interface Located {
  score: number;
  box: { x0: number; y0: number; x1: number; y1: number };
  points: Point[];
  /** face-api's own descriptor (box crop), only when not aligning. */
  descriptor?: Float32Array;
}

export async function createNeuralAnalyser(options: NeuralAnalyserOptions = {}): Promise<NeuralAnalyser> {
  const faceapi = await loadFaceApi();
  const arcface = await loadArcFaceNet();
  const padRatio = options.padRatio ?? DEFAULT_PAD_RATIO;
  const align = options.align ?? true;
  const mirror = options.mirror ?? true;
  const fullFrameLandmarks = options.fullFrameLandmarks ?? true;
  const rescue = options.rescue ?? true;
  const detectorOptions = new faceapi.SsdMobilenetv1Options({
    minConfidence: options.minDetectionScore ?? DEFAULT_MIN_DETECTION_SCORE,
    maxResults: MAX_FACES,
  });
  const maxSide = options.maxSide ?? DEFAULT_MAX_SIDE;
  const best = (faces: Located[]): number => Math.max(0, ...faces.map((f) => f.score));
  const passes = padRatio > 0 ? [padRatio, ...(rescue ? [RESCUE_PAD_RATIO] : [])] : [];
  const fastFirst = options.fastFirst ?? true;
  const contrastRescue = options.contrastRescue ?? true;
  const darkRescue = options.darkRescue ?? true;
  const rescueOptions = new faceapi.TinyFaceDetectorOptions({
    inputSize: TINY_INPUT_SIDE,
    scoreThreshold: CONTRAST_RESCUE_SCORE,
  });
  const tinyOptions = new faceapi.TinyFaceDetectorOptions({
    inputSize: TINY_INPUT_SIDE,
    scoreThreshold: TINY_ACCEPT_SCORE,
  });
  const portrait = (faces: Located[], image: DecodedImage): boolean => {
    const side = Math.min(image.pixelsWide, image.pixelsHigh);
    return (
      faces.length === 1 &&
      faces[0]!.score >= TINY_ACCEPT_SCORE &&
      Math.min(faces[0]!.box.x1 - faces[0]!.box.x0, faces[0]!.box.y1 - faces[0]!.box.y0) >= TINY_ACCEPT_SIDE * side
    );
  };

  return {
    stop: () => arcface.stop(),
    async analyse(bytes, analyseOptions = {}) {
      const model = requireFaceModel(analyseOptions.faceModel ?? LATEST_FACE_MODEL.version);
      const image = await decodeImage(bytes, maxSide);
      const fast = fastFirst ? await locateFaces(faceapi, tinyOptions, image, 0, !align) : [];
      let located = portrait(fast, image) ? fast : await locateFaces(faceapi, detectorOptions, image, 0, !align);
      for (const pad of passes) {
        if (best(located) >= FALLBACK_BELOW_SCORE) break;
        const again = await locateFaces(faceapi, detectorOptions, image, pad, !align);
        if (best(again) > best(located)) located = again;
      }
      // The rescues only with align: without it the descriptor would come from the altered pixels (face-api describes
      // its box). Each runs on a copy of the pixels; the faces it finds are described from the original ones.
      const pixels = { rgb: image.rgb, width: image.pixelsWide, height: image.pixelsHigh };
      const rescues = [
        ...(contrastRescue ? [{ copy: () => stretchContrast(pixels), pads: CONTRAST_RESCUE_PADS }] : []),
        ...(darkRescue ? [{ copy: () => darkenMidtones(pixels, DARK_RESCUE_GAMMA), pads: DARK_RESCUE_PADS }] : []),
      ];
      for (const { copy, pads } of align ? rescues : []) {
        if (best(located) >= FALLBACK_BELOW_SCORE) break;
        const altered = { ...image, rgb: copy() };
        for (const pad of pads) {
          const again = await locateFaces(faceapi, rescueOptions, altered, pad, !align);
          if (best(again) > best(located)) located = again;
          if (best(located) >= FALLBACK_BELOW_SCORE) break;
        }
      }
      const faces: DetectedFace[] = [];
      const attributes = analyseOptions.attributes === true;
      for (const face of located)
        faces.push(
          await describe({ faceapi, arcface }, image, face, {
            model,
            align,
            mirror,
            fullFrameLandmarks,
            attributes,
          }),
        );
      faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
      return { format: image.format, width: image.width, height: image.height, faces };
    },
  };
}

/** Detections and 68 landmarks, in the decoded image's pixels. A border pass maps them back out of the border. */
async function locateFaces(
  faceapi: FaceApi,
  detectorOptions: DetectorOptions,
  image: DecodedImage,
  padRatio: number,
  withDescriptors: boolean,
): Promise<Located[]> {
  const tf = faceapi.tf;
  const w = image.pixelsWide;
  const h = image.pixelsHigh;
  const padX = Math.round(w * padRatio);
  const padY = Math.round(h * padRatio);
  const input = tf.tidy(() => {
    const pixels = tf.tensor3d(image.rgb, [h, w, 3], "int32");
    if (!padX && !padY) return pixels;
    const border: [number, number][] = [
      [padY, padY],
      [padX, padX],
      [0, 0],
    ];
    return tf.pad(pixels, border, PAD_VALUE);
  });
  try {
    const withLandmarks = faceapi.detectAllFaces(input, detectorOptions).withFaceLandmarks();
    const results = withDescriptors ? await withLandmarks.withFaceDescriptors() : await withLandmarks;
    const located: Located[] = [];
    for (const result of results) {
      const b = result.detection.box;
      const box = {
        x0: Math.max(0, b.x - padX),
        y0: Math.max(0, b.y - padY),
        x1: Math.min(w, b.x + b.width - padX),
        y1: Math.min(h, b.y + b.height - padY),
      };
      if (box.x1 <= box.x0 || box.y1 <= box.y0) continue; // entirely in the border: not in the photo
      located.push({
        score: result.detection.score,
        box,
        points: result.landmarks.positions.map((p) => ({ x: p.x - padX, y: p.y - padY })),
        descriptor: "descriptor" in result ? (result.descriptor as Float32Array) : undefined,
      });
    }
    return located;
  } finally {
    input.dispose();
  }
}

async function describe(
  { faceapi, arcface }: { faceapi: FaceApi; arcface: ArcFaceNet },
  image: DecodedImage,
  face: Located,
  options: { model: FaceModel; align: boolean; mirror: boolean; fullFrameLandmarks: boolean; attributes: boolean },
): Promise<DetectedFace> {
  const w = image.pixelsWide;
  const h = image.pixelsHigh;
  const pixels = { rgb: image.rgb, width: w, height: h };
  const points = options.align
    ? await refineLandmarks(faceapi, pixels, face.points, { fullFrame: options.fullFrameLandmarks })
    : face.points;
  const faceApiDescriptor = options.model === FACE_MODEL_7;
  // face-api's 150-px chip: model 7.0's input, and the attribute nets'.
  const chip = (options.align && faceApiDescriptor) || options.attributes ? alignedChip(pixels, points) : undefined;
  const descriptor = !faceApiDescriptor
    ? await arcface.describe(pixels, points)
    : options.align
      ? await describeAligned(faceapi, chip!, { mirror: options.mirror })
      : unitVector(face.descriptor!);
  const { x0, y0, x1, y1 } = face.box;
  const quality = await faceQuality(pixels, { left: x0, top: y0, width: x1 - x0, height: y1 - y0 });
  const ratios = points.map((p) => ({ x: p.x / w, y: p.y / h }));
  return {
    box: { left: clamp01(x0 / w), top: clamp01(y0 / h), width: (x1 - x0) / w, height: (y1 - y0) / h },
    confidence: face.score * 100,
    landmarks: rekognitionLandmarks(ratios, (p) => p),
    // Pose from pixel positions of the original image: ratios would distort angles on non-square images.
    pose: headPose(ratios.map((p) => ({ x: p.x * image.width, y: p.y * image.height }))),
    quality: { brightness: quality.brightness, sharpness: quality.sharpness },
    descriptor,
    ...(options.attributes && { attributes: await faceAttributes(faceapi, chip!, CHIP_SIDE, points) }),
  };
}
