/** Loads a request image and runs the face engine on it, mapping decode failures to AWS's error. */
import { createHash } from "node:crypto";
import { ImageDecodeError, type AnalyseOptions, type AnalysedImage } from "@faceindex/face-engine";
import { RekognitionError, invalidParameter } from "../protocol/errors.ts";
import { loadImage, type WireImage } from "./load-image.ts";
import type { OperationContext } from "../operations/context.ts";

export interface LoadedImage {
  analysis: AnalysedImage;
  /** sha256 of the bytes, hex: identifies "the same image" for idempotent IndexFaces. */
  sha256: string;
}

export async function analyseImage(
  image: WireImage,
  context: Pick<OperationContext, "engine" | "s3">,
  options?: AnalyseOptions,
): Promise<LoadedImage> {
  const bytes = await loadImage(image, context.s3);
  try {
    const analysis = await context.engine.analyse(bytes, options);
    return { analysis, sha256: createHash("sha256").update(bytes).digest("hex") };
  } catch (error) {
    // By name too: the neural engine's worker threads send errors back as plain copies.
    if (error instanceof ImageDecodeError || (error as Error | undefined)?.name === "ImageDecodeError") {
      throw new RekognitionError(
        "InvalidImageFormatException",
        `Request has invalid image format: ${(error as Error).message}`,
      );
    }
    throw error;
  }
}

export const noFacesInImage = (): RekognitionError =>
  invalidParameter("There are no faces in the image. Should be at least 1.");
