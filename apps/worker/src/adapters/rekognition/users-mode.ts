/**
 * REKOGNITION_USERS=on: each external id is a Rekognition user (user-id.ts). The same FaceIndex and
 * FaceCollection interfaces, so the processors do not change:
 * - indexFaces indexes as before, then creates the person's user (first enrolment) and associates the new faces;
 * - searchFacesByImage (search_faces and dedupe) asks SearchUsersByImage, and answers each matched user with
 *   one of its faces (ListFaces by UserId), so a match still carries a face id and the external id;
 * - deleteFaces first deletes the users of those faces (which disassociates them), then the faces, since
 *   Rekognition refuses to delete a face that belongs to a user.
 * A person is matched by the best of their faces, so several enrolments help (measure-users-accuracy.ts).
 */
import {
  AssociateFacesCommand,
  CreateUserCommand,
  DeleteUserCommand,
  ListFacesCommand,
  SearchUsersByImageCommand,
  type RekognitionClient,
} from "@aws-sdk/client-rekognition";
import type { FaceCollection } from "./face-collection.ts";
import type { FaceIndex } from "./face-index.ts";
import { userIdOf } from "./user-id.ts";
import { toBoundingBox } from "./bounding-box.ts";

// The external id decides who a face belongs to: an enrolment is associated however unlike the person's
// earlier photos it is (AWS's default 75 would leave a hard photo indexed but outside the user).
const ENROL_MATCH_THRESHOLD = 0;
// Rekognition's ListFaces takes up to 4096 FaceIds per call.
const LIST_BATCH = 4096;

const errorName = (error: unknown) => (error as { name?: unknown }).name;

export function withRekognitionUsers(
  client: Pick<RekognitionClient, "send">,
  inner: { faceIndex: FaceIndex; faceCollection: FaceCollection },
): { faceIndex: FaceIndex; faceCollection: FaceCollection } {
  const { faceIndex, faceCollection } = inner;
  return {
    faceIndex: {
      ...faceIndex,
      async indexFaces(request) {
        const result = await faceIndex.indexFaces(request);
        if (result.indexed.length === 0) return result;
        const UserId = userIdOf(request.externalImageId);
        const CollectionId = request.collectionId;
        try {
          await client.send(new CreateUserCommand({ CollectionId, UserId }));
        } catch (error) {
          // The person's later enrolments (and a retried job) find the user already there.
          if (errorName(error) !== "ConflictException") throw error;
        }
        // A retry associates the same faces again: Rekognition answers them as associated, nothing changes.
        await client.send(
          new AssociateFacesCommand({
            CollectionId,
            UserId,
            FaceIds: result.indexed.map((face) => face.face_id),
            UserMatchThreshold: ENROL_MATCH_THRESHOLD,
          }),
        );
        return result;
      },
    },
    faceCollection: {
      ...faceCollection,
      async searchFacesByImage({ collectionId, image, threshold, maxFaces }) {
        let response;
        try {
          response = await client.send(
            new SearchUsersByImageCommand({
              CollectionId: collectionId,
              Image:
                "bytes" in image ? { Bytes: image.bytes } : { S3Object: { Bucket: image.bucket, Name: image.key } },
              UserMatchThreshold: threshold,
              // SearchUsersByImage takes at most 500 users.
              MaxUsers: Math.min(maxFaces, 500),
            }),
          );
        } catch (error) {
          if (errorName(error) === "InvalidParameterException" && /no faces/i.test(String((error as Error).message)))
            return null;
          throw error;
        }
        const box = response.SearchedFace?.FaceDetail?.BoundingBox;
        const matches = [];
        for (const match of response.UserMatches ?? []) {
          const userId = match.User?.UserId;
          if (!userId) continue;
          const faces = await client.send(
            new ListFacesCommand({ CollectionId: collectionId, UserId: userId, MaxResults: 1 }),
          );
          const face = faces.Faces?.[0];
          // A user whose faces were all removed meanwhile matches nobody.
          if (!face?.FaceId) continue;
          matches.push({
            faceId: face.FaceId,
            externalImageId: face.ExternalImageId ?? "",
            similarity: match.Similarity ?? 0,
          });
        }
        return {
          searchedFace: {
            bounding_box: toBoundingBox(box),
            confidence: response.SearchedFace?.FaceDetail?.Confidence ?? 0,
          },
          matches: matches.sort((a, b) => b.similarity - a.similarity),
        };
      },
      async deleteFaces(collectionId, faceIds) {
        const users = new Set<string>();
        for (let start = 0; start < faceIds.length; start += LIST_BATCH) {
          const listed = await client.send(
            new ListFacesCommand({ CollectionId: collectionId, FaceIds: faceIds.slice(start, start + LIST_BATCH) }),
          );
          for (const face of listed.Faces ?? []) if (face.UserId) users.add(face.UserId);
        }
        for (const UserId of users) {
          try {
            await client.send(new DeleteUserCommand({ CollectionId: collectionId, UserId }));
          } catch (error) {
            // Deleted by an earlier attempt of this job.
            if (errorName(error) !== "ResourceNotFoundException") throw error;
          }
        }
        return faceCollection.deleteFaces(collectionId, faceIds);
      },
    },
  };
}
