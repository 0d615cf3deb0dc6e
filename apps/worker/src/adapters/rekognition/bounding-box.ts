/** Rekognition's BoundingBox (every field optional) as the project's own, missing sides read as 0. */
import type { BoundingBox as SdkBoundingBox } from "@aws-sdk/client-rekognition";
import type { BoundingBox } from "@faceindex/contracts";

export function toBoundingBox(box: SdkBoundingBox | undefined): BoundingBox {
  return { width: box?.Width ?? 0, height: box?.Height ?? 0, left: box?.Left ?? 0, top: box?.Top ?? 0 };
}

export function boxArea(box: BoundingBox): number {
  return box.width * box.height;
}
