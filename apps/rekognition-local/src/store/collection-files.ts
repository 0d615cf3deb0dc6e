/**
 * A collection on disk, in its own folder:
 * - `snapshot.bin`: "RKL1", a uint32 header length, a JSON header (metadata and face records), then the
 *   vector index's float32 rows. Written to a temporary file, fsynced and renamed, so it is never torn.
 * - `journal.ndjson`: one line per change since the snapshot, appended and fsynced before a request is
 *   answered, so an acknowledged face survives a crash; replayed over the snapshot at start.
 */
import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { DESCRIPTOR_LENGTH } from "@faceindex/face-engine";
import { createCollection, type Collection, type CollectionMeta, type StoredFace } from "./collection.ts";

const MAGIC = "RKL1";
const SNAPSHOT = "snapshot.bin";
const JOURNAL = "journal.ndjson";

export type JournalEntry =
  { add: (Omit<StoredFace, "seq"> & { seq: number; descriptor: string })[] } | { delete: string[] };

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
  const { ids, vectors } = collection.index.serialise();
  const header = Buffer.from(JSON.stringify({ meta: collection.meta, faces: [...collection.faces.values()], ids }));
  const prefix = Buffer.alloc(8);
  prefix.write(MAGIC, 0, "ascii");
  prefix.writeUInt32LE(header.length, 4);
  const temporary = join(directory, `${SNAPSHOT}.${randomUUID()}.tmp`);
  const handle = await open(temporary, "w");
  try {
    await handle.writev([prefix, header, vectors]);
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
 */
export async function readCollection(
  directory: string,
): Promise<{ collection: Collection; journalEntries: number; journalBytes: number }> {
  const data = await readFile(join(directory, SNAPSHOT));
  if (data.toString("ascii", 0, 4) !== MAGIC) throw new Error(`${directory}/${SNAPSHOT} is not a collection snapshot`);
  const headerLength = data.readUInt32LE(4);
  const header = JSON.parse(data.toString("utf8", 8, 8 + headerLength)) as {
    meta: CollectionMeta;
    faces: StoredFace[];
    ids: string[];
  };
  // Copied to an aligned buffer: float32 rows cannot start at an arbitrary byte offset.
  const rows = new Float32Array(new Uint8Array(data.subarray(8 + headerLength)).buffer);
  const descriptors = new Map(
    header.ids.map((id, row) => [id, rows.subarray(row * DESCRIPTOR_LENGTH, (row + 1) * DESCRIPTOR_LENGTH)] as const),
  );
  const collection = createCollection(header.meta, header.faces, descriptors);
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
  } else {
    for (const faceId of entry.delete) collection.removeFace(faceId);
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
