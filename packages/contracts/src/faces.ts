/** The face records more than one job kind answers with (index-faces reports duplicates as search matches). */

/** A box as ratios of the image's width and height, as Rekognition reports it. */
export interface BoundingBox {
  width: number;
  height: number;
  left: number;
  top: number;
}

/** A face of the gallery that resembles the probe; bucket and key come from the gallery mapping. */
export interface FaceMatch {
  face_id: string;
  external_image_id: string;
  similarity: number;
  /** null when the mapping has no entry for the face (e.g. indexed before the mapping existed). */
  bucket: string | null;
  /** null when unknown: the mapping lost it and the rebuild could not recover it. */
  image_key: string | null;
}
