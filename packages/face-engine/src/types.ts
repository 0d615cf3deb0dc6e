/**
 * The face engine's public types. No HTTP and no AWS types here: the Rekognition-compatible server maps
 * these to the wire format.
 */

/** A box as ratios (0..1) of the image's width and height, like Rekognition's BoundingBox. */
export interface FaceBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A landmark point as ratios of the image's width and height. */
export interface FacePoint {
  /** Rekognition landmark type, e.g. "eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight". */
  type: string;
  x: number;
  y: number;
}

export interface DetectedFace {
  box: FaceBox;
  /** Detector confidence that the box holds a face, 0..100. */
  confidence: number;
  landmarks: FacePoint[];
  /** Head pose in degrees, estimated from the landmarks. */
  pose: { roll: number; yaw: number; pitch: number };
  /** Image quality of the face region, 0..100 (higher is better), comparable to Rekognition's ImageQuality. */
  quality: { brightness: number; sharpness: number };
  /**
   * Unit-length face descriptor of the face model asked for (128 floats for 7.0, 512 for 8.0: face-models.ts);
   * similar faces have a small Euclidean distance.
   */
  descriptor: Float32Array;
  /** Only when analyse() was asked for them; see FaceAttributes for what is and is not computed. */
  attributes?: FaceAttributes;
}

/** A yes/no attribute and how sure the engine is of it, 0..100 (Rekognition's { Value, Confidence }). */
export interface BooleanAttribute {
  value: boolean;
  confidence: number;
}

/** The emotions face-api's expression net scores, named as Rekognition names them (it has no CONFUSED). */
export type Emotion = "CALM" | "HAPPY" | "SAD" | "ANGRY" | "FEAR" | "DISGUSTED" | "SURPRISED";

/**
 * What the bundled models compute honestly. From face-api's nets on the aligned chip: age range, gender,
 * emotions. From the 68 landmarks: eyes open (eye aspect ratio), mouth open (inner-lip gap), smile (the
 * HAPPY score with mouth width). No model here gives eye direction (68 points hold no pupils), occlusion,
 * beard, moustache, eyeglasses or sunglasses: those are left out rather than guessed.
 */
export interface FaceAttributes {
  ageRange: { low: number; high: number };
  gender: { value: "Male" | "Female"; confidence: number };
  /** Every emotion, highest confidence first. */
  emotions: { type: Emotion; confidence: number }[];
  smile: BooleanAttribute;
  eyesOpen: BooleanAttribute;
  mouthOpen: BooleanAttribute;
}

export interface AnalyseOptions {
  /** Also compute FaceAttributes for every face (two more small nets per face, ~15 ms each). */
  attributes?: boolean;
  /**
   * FaceModelVersion whose descriptors to compute (face-models.ts): a collection's faces are compared only with
   * descriptors of the model it was created with. Default: LATEST_FACE_MODEL.
   */
  faceModel?: string;
}

export interface AnalysedImage {
  width: number;
  height: number;
  format: "jpeg" | "png";
  /** Faces, largest first. */
  faces: DetectedFace[];
}

export interface FaceEngine {
  /** Detects every face in a JPEG or PNG image. Throws ImageDecodeError when the bytes are not one. */
  analyse(image: Uint8Array, options?: AnalyseOptions): Promise<AnalysedImage>;
  /** Which engine answers: "neural" (real models) or "load-test" (fixed latency, fake faces). */
  readonly mode: EngineMode;
  close(): Promise<void>;
}

export type EngineMode = "neural" | "load-test";

/** The bytes are not a JPEG or PNG image that can be decoded. */
export class ImageDecodeError extends Error {
  override readonly name = "ImageDecodeError";
}
