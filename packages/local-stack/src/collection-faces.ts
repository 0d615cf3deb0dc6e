/** Every face of a collection on the local Rekognition server (ListFaces, all pages), to count what was indexed. */
import { ListFacesCommand, RekognitionClient } from "@aws-sdk/client-rekognition";
import { LOCAL_S3_CREDENTIALS } from "@faceindex/local-s3";

export interface ListedFace {
  faceId: string;
  externalImageId: string | undefined;
}

export async function listCollectionFaces(rekognitionUrl: string, collectionId: string): Promise<ListedFace[]> {
  const client = new RekognitionClient({
    endpoint: rekognitionUrl,
    region: "us-east-1",
    credentials: LOCAL_S3_CREDENTIALS,
  });
  const faces: ListedFace[] = [];
  try {
    let nextToken: string | undefined;
    do {
      // 4096 is ListFaces' largest page.
      const page = await client.send(
        new ListFacesCommand({ CollectionId: collectionId, MaxResults: 4096, NextToken: nextToken }),
      );
      for (const face of page.Faces ?? [])
        faces.push({ faceId: face.FaceId ?? "", externalImageId: face.ExternalImageId });
      nextToken = page.NextToken;
    } while (nextToken);
  } finally {
    client.destroy();
  }
  return faces;
}

/** External ids that carry more than one face: a request indexed twice. */
export function duplicateExternalIds(faces: ListedFace[]): string[] {
  const counts = new Map<string, number>();
  for (const face of faces) counts.set(face.externalImageId ?? "", (counts.get(face.externalImageId ?? "") ?? 0) + 1);
  return [...counts].filter(([, count]) => count > 1).map(([id]) => id);
}
