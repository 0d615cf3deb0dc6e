/**
 * Every collection, kept in memory and persisted under `<dataDir>/collections/`. Mutations of one
 * collection are serialised (keyed mutex) and journalled (fsync) before they are acknowledged; the
 * journal is folded into a fresh snapshot every SNAPSHOT_EVERY entries and at close, so a 100k-face
 * collection is not rewritten on every IndexFaces. New collections get the store's face model
 * (options.faceModel); existing ones keep the one they were created with (their metadata's
 * faceModelVersion), as on AWS.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  createFaceVectorIndex,
  LATEST_FACE_MODEL,
  unitVector,
  type FaceModel,
  type FaceVectorIndexOptions,
} from "@faceindex/face-engine";
import { createCollection, type Collection, type StoredFace } from "./collection.ts";
import {
  createCollectionDirectory,
  applyJournalEntry,
  encodeDescriptor,
  openJournal,
  readCollection,
  removeCollectionDirectory,
  removeSnapshotLeftovers,
  writeSnapshot,
  type Journal,
  type JournalEntry,
  type UserChange,
} from "./collection-files.ts";
import { createKeyedMutex } from "./keyed-mutex.ts";

/** Journal entries before a snapshot: bounds start-up replay and journal size; a snapshot of 100k faces costs ~50 MB of writes. */
const SNAPSHOT_EVERY = 1000;

/** Longest id used as is in a folder name: "c_" + 150 + "~" + 64 hex stays under NAME_MAX (255 bytes). */
const MAX_PLAIN_ID_LENGTH = 150;

export interface NewFace {
  face: Omit<StoredFace, "seq">;
  descriptor: Float32Array;
}

export interface CollectionStore {
  /** Undefined when the collection does not exist. Read-only use: mutate through the methods below. */
  get(collectionId: string): Collection | undefined;
  ids(): string[];
  /** False when the collection already exists. */
  create(collectionId: string): Promise<Collection | undefined>;
  /** False when the collection does not exist. */
  delete(collectionId: string): Promise<boolean>;
  /**
   * Adds an image's faces unless the same image (imageKey) is already indexed, in which case its
   * existing faces are returned. Undefined when the collection does not exist.
   */
  addImageFaces(collectionId: string, imageKey: string, faces: NewFace[]): Promise<StoredFace[] | undefined>;
  /**
   * Faces not associated with a user are removed (their ids returned); associated ones stay, as in AWS
   * (ASSOCIATED_TO_AN_EXISTING_USER). Undefined when the collection does not exist.
   */
  deleteFaces(collectionId: string, faceIds: string[]): Promise<string[] | undefined>;
  /**
   * A users operation under the collection's lock: `plan` reads the collection as it is now and returns
   * the change to journal (none: nothing to write) and the answer; `committed` runs once the change is
   * durable, still under the lock. Undefined when the collection does not exist.
   */
  changeUsers<T>(
    collectionId: string,
    plan: (collection: Collection) => { change?: UserChange; result: T; committed?: () => void },
  ): Promise<T | undefined>;
  close(): Promise<void>;
}

interface Open {
  collection: Collection;
  journal: Journal;
  journalEntries: number;
  directory: string;
}

export async function openCollectionStore(options: {
  dataDir: string;
  region: string;
  log?: (message: string) => void;
  /** Journal entries between snapshots (default SNAPSHOT_EVERY); tests lower it. */
  snapshotEvery?: number;
  /**
   * Every collection's vector index (default: the engine's approximate threshold); tests lower the threshold.
   * Its faceModel is ignored: each index holds its collection's model's descriptors.
   */
  vectorIndex?: FaceVectorIndexOptions;
  /** The face model of collections created from now on (default LATEST_FACE_MODEL); existing ones keep theirs. */
  faceModel?: FaceModel;
}): Promise<CollectionStore> {
  const snapshotEvery = options.snapshotEvery ?? SNAPSHOT_EVERY;
  const faceModel = options.faceModel ?? LATEST_FACE_MODEL;
  const root = join(options.dataDir, "collections");
  await mkdir(root, { recursive: true });
  const mutex = createKeyedMutex();
  const open = new Map<string, Open>();
  // A folder per collection; the prefix keeps ids like ".." from naming anything outside the root. Ids
  // may be 255 characters, more than a file name can hold with the prefix: long ones are cut and end in
  // "~" (never in an id) and their sha256. Only create uses this; loading reads the id from the snapshot.
  const directoryOf = (collectionId: string): string =>
    join(
      root,
      collectionId.length <= MAX_PLAIN_ID_LENGTH
        ? `c_${collectionId}`
        : `c_${collectionId.slice(0, MAX_PLAIN_ID_LENGTH)}~${createHash("sha256").update(collectionId).digest("hex")}`,
    );

  for (const name of await readdir(root)) {
    const directory = join(root, name);
    if (!name.startsWith("c_")) {
      // Leftovers of a create or delete interrupted by a crash.
      await rm(directory, { recursive: true, force: true });
      continue;
    }
    await removeSnapshotLeftovers(directory);
    const { collection, journalEntries, journalBytes, needsSnapshot } = await readCollection(
      directory,
      options.vectorIndex,
      options.log,
    );
    open.set(collection.meta.collectionId, {
      collection,
      journal: await openJournal(directory, journalBytes),
      // Counted as one change, so that close() writes a snapshot (with the rebuilt graph).
      journalEntries: needsSnapshot ? Math.max(journalEntries, 1) : journalEntries,
      directory,
    });
  }
  options.log?.(`loaded ${open.size} collection(s) from ${root}`);

  /** Journal first, then memory: a change is visible (searchable) only once it is on disk. */
  async function record(entry: Open, change: JournalEntry, apply: () => void): Promise<void> {
    await entry.journal.append(change);
    apply();
    entry.journalEntries += 1;
    if (entry.journalEntries < snapshotEvery) return;
    // The change is already durable in the journal: a failed snapshot is retried at the next change.
    await compact(entry).catch((error: unknown) =>
      options.log?.(`snapshot of ${entry.directory} failed: ${String(error)}`),
    );
  }

  async function compact(entry: Open): Promise<void> {
    await writeSnapshot(entry.directory, entry.collection);
    await entry.journal.truncate();
    entry.journalEntries = 0;
  }

  return {
    get: (collectionId) => open.get(collectionId)?.collection,
    ids: () => [...open.keys()].sort(),
    create: (collectionId) =>
      mutex.run(collectionId, async () => {
        if (open.has(collectionId)) return undefined;
        const collection = createCollection(
          {
            collectionId,
            createdAt: Date.now() / 1000,
            faceModelVersion: faceModel.version,
            arn: `arn:aws:rekognition:${options.region}:000000000000:collection/${collectionId}`,
            nextSeq: 0,
          },
          createFaceVectorIndex({ ...options.vectorIndex, faceModel }),
        );
        const directory = directoryOf(collectionId);
        await createCollectionDirectory(root, directory, collection);
        open.set(collectionId, { collection, journal: await openJournal(directory), journalEntries: 0, directory });
        return collection;
      }),
    delete: (collectionId) =>
      mutex.run(collectionId, async () => {
        const entry = open.get(collectionId);
        if (!entry) return false;
        open.delete(collectionId);
        await entry.journal.close();
        await removeCollectionDirectory(root, entry.directory);
        return true;
      }),
    addImageFaces: (collectionId, imageKey, faces) =>
      mutex.run(collectionId, async () => {
        const entry = open.get(collectionId);
        if (!entry) return undefined;
        const existing = entry.collection.facesOfImage(imageKey);
        if (existing.length > 0 || faces.length === 0) return existing;
        // Checked before the journal, as the index would check them after it: a journalled descriptor the
        // index refuses (another model's length, or all zeros) would fail every later start at its replay.
        for (const { descriptor } of faces) unitVector(descriptor, entry.collection.index.faceModel);
        const seq = entry.collection.meta.nextSeq;
        const added = faces.map(({ face }, i) => ({ ...face, seq: seq + i }));
        const change = {
          add: added.map((face, i) => ({ ...face, descriptor: encodeDescriptor(faces[i]!.descriptor) })),
        };
        await record(entry, change, () =>
          added.forEach((face, i) => entry.collection.addFace(face, faces[i]!.descriptor)),
        );
        return added;
      }),
    deleteFaces: (collectionId, faceIds) =>
      mutex.run(collectionId, async () => {
        const entry = open.get(collectionId);
        if (!entry) return undefined;
        const present = [...new Set(faceIds)].filter(
          (id) => entry.collection.faces.has(id) && entry.collection.userOf(id) === undefined,
        );
        if (present.length === 0) return [];
        await record(entry, { delete: present }, () => present.forEach((id) => entry.collection.removeFace(id)));
        return present;
      }),
    changeUsers: (collectionId, plan) =>
      mutex.run(collectionId, async () => {
        const entry = open.get(collectionId);
        if (!entry) return undefined;
        const { change, result, committed } = plan(entry.collection);
        if (change) await record(entry, change, () => applyJournalEntry(entry.collection, change));
        committed?.();
        return result;
      }),
    async close() {
      await mutex.idle();
      for (const [collectionId, entry] of open) {
        await mutex.run(collectionId, async () => {
          if (entry.journalEntries > 0) await compact(entry);
          await entry.journal.close();
        });
      }
      open.clear();
    },
  };
}
