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
  /** Unit-length face descriptor (128 floats); similar faces have a small Euclidean distance. */
  descriptor: Float32Array;
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
  analyse(image: Uint8Array): Promise<AnalysedImage>;
  /** Which engine answers: "neural" (real models) or "load-test" (fixed latency, fake faces). */
  readonly mode: EngineMode;
  close(): Promise<void>;
}

export type EngineMode = "neural" | "load-test";

/** The bytes are not a JPEG or PNG image that can be decoded. */
export class ImageDecodeError extends Error {
  override readonly name = "ImageDecodeError";
}
