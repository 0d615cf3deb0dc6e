/**
 * A collection on disk, in its own folder:
 * - `snapshot.bin`: "RKL1", a uint32 header length, a JSON header (metadata and face records), then the
 *   vector index's float32 rows, then (large collections) the index's approximate graph, `graphBytes` long:
 *   loading a saved graph takes a moment where rebuilding it costs ~0.3-0.5 ms of CPU per face. Snapshots
 *   from before the graph have no `graphBytes`, and graphs saved with 16 links per node are dropped; either is
 *   rebuilt at load. Written to a temporary
 *   file, fsynced and renamed, so it is never torn.
 * - `journal.ndjson`: one line per change since the snapshot, appended and fsynced before a request is
 *   answered, so an acknowledged face survives a crash; replayed over the snapshot at start.
 */
import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { DESCRIPTOR_LENGTH, deserialiseFaceVectorIndex, type FaceVectorIndexOptions } from "@faceindex/face-engine";
import {
  createCollection,
  type Collection,
  type CollectionMeta,
  type StoredFace,
  type StoredUser,
} from "./collection.ts";

const MAGIC = "RKL1";
const SNAPSHOT = "snapshot.bin";
const JOURNAL = "journal.ndjson";

/** A change to a collection's users (CreateUser, DeleteUser, AssociateFaces, DisassociateFaces). */
export type UserChange =
  | { createUser: { userId: string; createdAt: number } }
  | { deleteUser: string }
  | { associate: { userId: string; faceIds: string[] } }
  | { disassociate: { userId: string; faceIds: string[] } };

export type JournalEntry =
  { add: (Omit<StoredFace, "seq"> & { seq: number; descriptor: string })[] } | { delete: string[] } | UserChange;

export const encodeDescriptor = (descriptor: Float32Array): string =>
  Buffer.from(descriptor.buffer, descriptor.byteOffset, descriptor.byteLength).toString("base64");

const decodeDescriptor = (text: string): Float32Array =>
  new Float32Array(new Uint8Array(Buffer.from(text, "base64")).buffer);

async function fsyncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeSnapshot(directory: string, collection: Collection): Promise<void> {
  const { ids, vectors, graph } = collection.index.serialise();
  const header = Buffer.from(
    JSON.stringify({
      meta: collection.meta,
      faces: [...collection.faces.values()],
      ids,
      users: [...collection.users.values()],
      ...(graph && { graphBytes: graph.byteLength }),
    }),
  );
  const prefix = Buffer.alloc(8);
  prefix.write(MAGIC, 0, "ascii");
  prefix.writeUInt32LE(header.length, 4);
  const temporary = join(directory, `${SNAPSHOT}.${randomUUID()}.tmp`);
  const handle = await open(temporary, "w");
  try {
    await handle.writev(graph ? [prefix, header, vectors, graph] : [prefix, header, vectors]);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, join(directory, SNAPSHOT));
  await fsyncDirectory(directory);
}

/**
 * Deletes snapshot temporaries (up to ~50 MB each) that a crash during writeSnapshot left behind: nothing
 * else would ever remove them. Only while the collection is not open, so no snapshot is being written.
 */
export async function removeSnapshotLeftovers(directory: string): Promise<void> {
  for (const name of await readdir(directory)) {
    if (name.startsWith(`${SNAPSHOT}.`) && name.endsWith(".tmp")) await rm(join(directory, name), { force: true });
  }
}

/**
 * Reads a collection folder: the snapshot, then every complete journal line (a torn last line was never
 * acknowledged). `journalBytes` is the length of the lines replayed: the journal must be cut back to it
 * before anything is appended, or the next line would be glued to the torn one and lost at the next start.
 * `indexOptions` go to the collection's vector index (tests lower its approximate threshold).
 */
export async function readCollection(
  directory: string,
  indexOptions: FaceVectorIndexOptions = {},
): Promise<{ collection: Collection; journalEntries: number; journalBytes: number }> {
  const data = await readFile(join(directory, SNAPSHOT));
  if (data.toString("ascii", 0, 4) !== MAGIC) throw new Error(`${directory}/${SNAPSHOT} is not a collection snapshot`);
  const headerLength = data.readUInt32LE(4);
  const header = JSON.parse(data.toString("utf8", 8, 8 + headerLength)) as {
    meta: CollectionMeta;
    faces: StoredFace[];
    ids: string[];
    /** Absent in snapshots written before users existed. */
    users?: StoredUser[];
    /** Absent in snapshots written before the graph was saved (and in small collections, which have none). */
    graphBytes?: number;
  };
  const rowsStart = 8 + headerLength;
  const rowsEnd = rowsStart + header.ids.length * DESCRIPTOR_LENGTH * 4;
  const graphBytes = header.graphBytes ?? 0;
  if (data.length !== rowsEnd + graphBytes) {
    throw new Error(`${directory}/${SNAPSHOT} holds ${data.length} bytes, expected ${rowsEnd + graphBytes}`);
  }
  // Copied once to an aligned buffer of their own (float32 rows cannot start at an arbitrary byte offset): the
  // faces' descriptors are views of it, and the index uses it in place (it copies before its first write), so
  // neither keeps the snapshot's bytes, graph included, alive after this function.
  const rows = new Float32Array(new Uint8Array(data.subarray(rowsStart, rowsEnd)).buffer);
  const index = deserialiseFaceVectorIndex(
    {
      ids: header.ids,
      vectors: Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength),
      ...(graphBytes > 0 && { graph: data.subarray(rowsEnd) }),
    },
    indexOptions,
  );
  const descriptors = new Map(
    header.ids.map((id, row) => [id, rows.subarray(row * DESCRIPTOR_LENGTH, (row + 1) * DESCRIPTOR_LENGTH)] as const),
  );
  const collection = createCollection(header.meta, index, {
    faces: header.faces,
    descriptors,
    ...(header.users && { users: header.users }),
  });
  let journalEntries = 0;
  let journalBytes = 0;
  const journal = await readFile(join(directory, JOURNAL)).catch(() => Buffer.alloc(0));
  for (let end = journal.indexOf(0x0a); end !== -1; end = journal.indexOf(0x0a, journalBytes)) {
    const line = journal.toString("utf8", journalBytes, end);
    if (line) {
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        // The last line may be a torn write (glued to a later append by older builds): never acknowledged,
        // so it is dropped. A bad line with complete lines after it is damage: cutting the journal there
        // would destroy acknowledged faces, so refuse to start and let a person decide.
        if (journal.indexOf(0x0a, end + 1) !== -1) {
          throw new Error(
            `${join(directory, JOURNAL)} is damaged at byte ${journalBytes} with complete entries after it; ` +
              "not starting, so that no acknowledged face is lost. Move the file aside (or repair that line) and restart.",
          );
        }
        break;
      }
      applyJournalEntry(collection, entry);
      journalEntries += 1;
    }
    journalBytes = end + 1;
  }
  return { collection, journalEntries, journalBytes };
}

export function applyJournalEntry(collection: Collection, entry: JournalEntry): void {
  if ("add" in entry) {
    for (const { descriptor, ...face } of entry.add) collection.addFace(face, decodeDescriptor(descriptor));
  } else if ("delete" in entry) {
    for (const faceId of entry.delete) collection.removeFace(faceId);
  } else if ("createUser" in entry) {
    collection.createUser(entry.createUser.userId, entry.createUser.createdAt);
  } else if ("deleteUser" in entry) {
    collection.deleteUser(entry.deleteUser);
  } else if ("associate" in entry) {
    collection.associate(entry.associate.userId, entry.associate.faceIds);
  } else {
    collection.disassociate(entry.disassociate.userId, entry.disassociate.faceIds);
  }
}

/** An open journal: append() returns once the entry is on disk. */
export interface Journal {
  append(entry: JournalEntry): Promise<void>;
  /** Empties the journal after a snapshot has captured everything in it. */
  truncate(): Promise<void>;
  close(): Promise<void>;
}

/** `validBytes`: cut the journal back to this length first (drops a torn last line; see readCollection). */
export async function openJournal(directory: string, validBytes?: number): Promise<Journal> {
  const path = join(directory, JOURNAL);
  const handle: FileHandle = await open(path, "a");
  if (validBytes !== undefined && (await handle.stat()).size > validBytes) {
    await handle.truncate(validBytes);
    await handle.datasync();
  }
  return {
    async append(entry) {
      await handle.write(`${JSON.stringify(entry)}\n`);
      await handle.datasync();
    },
    async truncate() {
      // Cut in place on the open handle (appends still go to the end: "a" mode): closing and reopening
      // left a closed handle behind when the reopen failed, and every later append failed with EBADF.
      // If this fails the handle stays usable and the entries stay, replayed harmlessly over the snapshot.
      await handle.truncate(0);
      await handle.datasync();
    },
    close: () => handle.close(),
  };
}

/** Creates a collection folder atomically: built under a temporary name, then renamed into place. */
export async function createCollectionDirectory(
  root: string,
  directory: string,
  collection: Collection,
): Promise<void> {
  const temporary = join(root, `tmp-${randomUUID()}`);
  await mkdir(temporary, { recursive: true });
  await writeSnapshot(temporary, collection);
  await rename(temporary, directory);
  await fsyncDirectory(root);
}

/** Removes a collection folder: renamed away first, so a crash never leaves half a collection to load. */
export async function removeCollectionDirectory(root: string, directory: string): Promise<void> {
  const trash = join(root, `trash-${randomUUID()}`);
  await rename(directory, trash);
  await fsyncDirectory(root);
  await rm(trash, { recursive: true, force: true });
}
