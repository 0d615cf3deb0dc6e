/** Turns Rekognition's matches into the contract's FaceMatch, with bucket and image key from the gallery mapping. */
import type { FaceMatch } from "@faceindex/contracts";
import type { CollectionMatch } from "../adapters/rekognition/face-collection.ts";
import type { GalleryMap } from "../adapters/redis/gallery-map.ts";

export async function withGalleryDetails(
  matches: CollectionMatch[],
  gallery: Pick<GalleryMap, "lookup">,
): Promise<FaceMatch[]> {
  const known = await gallery.lookup(matches.map((match) => match.faceId));
  return matches.map((match) => {
    const face = known.get(match.faceId);
    return {
      face_id: match.faceId,
      external_image_id: match.externalImageId,
      similarity: match.similarity,
      // A face the mapping does not know is still a match worth reporting; where it came from is unknown.
      bucket: face?.bucket ?? null,
      image_key: face?.image_key ?? null,
    };
  });
}
