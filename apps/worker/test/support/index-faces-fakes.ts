/**
 * Plain-object dependencies of the index-faces processor for fast unit tests: every part answers as for a
 * first enrolment of a person nobody else touches (the key is free, the lock lets the job in, no duplicate,
 * no quality gate, every write succeeds, logs silent). A test passes only the parts it watches or breaks.
 */
import { pino } from "pino";
import type { IndexFacesDeps } from "../../src/jobs/index-faces.ts";

export function fakeIndexFacesDeps(parts: Partial<IndexFacesDeps>): IndexFacesDeps {
  return {
    imageStore: { putImage: async () => ({ etag: "etag-1" }), headImage: async () => null, conditionalWrites: true },
    faceIndex: { indexFaces: async () => ({ faceModelVersion: "7.0", indexed: [], unindexed: [] }) },
    parkedImages: { read: async () => Buffer.from("jpeg bytes"), remove: async () => {} },
    faceCollection: { searchFacesByImage: async () => null },
    faceDetector: { detectFaces: async () => [] },
    scopeFor: async () => ({
      collectionId: "faces",
      gallery: {
        record: async () => {},
        lookup: async () => new Map(),
        facesOf: async () => [],
        forget: async () => {},
      },
      lock: { withLock: (_bucket, _externalImageId, work) => work() },
    }),
    claims: {
      claim: async () => "claimed",
      confirm: async () => {},
      release: async () => {},
      ownerOf: async () => null,
    },
    storedObjects: { remember: async () => {} },
    audit: { record: async () => {} },
    logger: pino({ level: "silent" }),
    ...parts,
  };
}
