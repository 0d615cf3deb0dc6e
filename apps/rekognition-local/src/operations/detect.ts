/** DetectFaces and CompareFaces: face analysis with no collection involved. */
import {
  DEFAULT_FACE_MATCH_THRESHOLD,
  faceSimilarity,
  unindexedReasons,
  type QualityFilter,
} from "@faceindex/face-engine";
import type { WireImage } from "../images/load-image.ts";
import { toBoundingBox, toFaceDetail } from "../protocol/wire-format.ts";
import { analyseImage, noFacesInImage } from "../images/analyse-image.ts";
import type { OperationContext } from "./context.ts";

export async function detectFaces(input: { Image: WireImage }, context: OperationContext) {
  const { analysis } = await analyseImage(input.Image, context);
  // Only the DEFAULT attributes are produced; ALL's age, emotions etc. have no model here.
  return { FaceDetails: analysis.faces.map(toFaceDetail) };
}

export interface CompareFacesInput {
  SourceImage: WireImage;
  TargetImage: WireImage;
  SimilarityThreshold?: number;
  QualityFilter?: QualityFilter;
}

export async function compareFaces(input: CompareFacesInput, context: OperationContext) {
  const [source, target] = await Promise.all([
    analyseImage(input.SourceImage, context),
    analyseImage(input.TargetImage, context),
  ]);
  const filter = input.QualityFilter ?? "NONE";
  const sourceFace = source.analysis.faces[0];
  if (!sourceFace || unindexedReasons(sourceFace, source.analysis, filter).length > 0) throw noFacesInImage();
  const threshold = input.SimilarityThreshold ?? DEFAULT_FACE_MATCH_THRESHOLD;
  const targets = target.analysis.faces.filter((face) => unindexedReasons(face, target.analysis, filter).length === 0);
  const compared = targets.map((face) => ({
    face,
    similarity: faceSimilarity(sourceFace.descriptor, face.descriptor),
  }));
  // A ComparedFace has exactly the DEFAULT FaceDetail members produced here.
  const comparedFace = toFaceDetail;
  return {
    SourceImageFace: { BoundingBox: toBoundingBox(sourceFace.box), Confidence: sourceFace.confidence },
    FaceMatches: compared
      .filter(({ similarity }) => similarity >= threshold)
      .sort((a, b) => b.similarity - a.similarity)
      .map(({ face, similarity }) => ({ Similarity: similarity, Face: comparedFace(face) })),
    UnmatchedFaces: compared.filter(({ similarity }) => similarity < threshold).map(({ face }) => comparedFace(face)),
  };
}
