/**
 * A collection on disk, in its own folder:
 * - `snapshot.bin`: "RKL2", a uint32 header length, a JSON header (metadata, users, the face table's length
 *   and the graph file's name), then at 8-byte alignment the face records as a binary table (face-table.ts),
 *   then at 4-byte alignment the vector index's rows in the header's `rowEncoding` (absent: float32; face
 *   model 8.0's are int8 since they were made so, and float32 ones saved before are converted at load and
 *   saved again as int8). Written to a temporary file, fsynced and
 *   renamed, so it is never torn. "RKL1" snapshots (face records as JSON in the header, the graph after the
 *   rows) still load; the next snapshot is written as RKL2.
 * - `graph-<uuid>.usearch` (large collections): the index's approximate graph, named by the snapshot that
 *   uses it. It is its own file so usearch loads it by path: loading a saved graph takes a moment where
 *   rebuilding it costs ~0.3-0.5 ms of CPU per face, and at a million faces it is ~500 MB that would
 *   otherwise be read into memory and written out again to a temporary file for usearch. A new snapshot
 *   writes a new graph file first; the old one is deleted after the rename, and any graph file the snapshot
 *   does not name (left by a crash) when the collection is opened. Graphs saved with 16 links per node, or
 *   under another layout than the index builds (the header's `graphLayout`), are dropped and rebuilt at load.
 * - `journal.ndjson`: one line per change since the snapshot, appended and fsynced before a request is
 *   answered, so an acknowledged face survives a crash; replayed over the snapshot at start.
 * Rows and journalled descriptors are as long as the collection's face model makes them (its metadata's
 * faceModelVersion: 128 values for "7.0", 512 for "8.0"; journalled descriptors are always float32); nothing
 * else in the files depends on the model.
 */
import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import {
  deserialiseFaceVectorIndex,
  requireFaceModel,
  rowBytesOf as rowBytesOfModel,
  type FaceModel,
  type FaceVectorIndex,
  type FaceVectorIndexOptions,
  type RowEncoding,
} from "@faceindex/face-engine";
import {
  createCollection,
  type Collection,
  type CollectionMeta,
  type StoredFace,
  type StoredUser,
} from "./collection.ts";
import { decodeFaceTable, encodeFaceTable } from "./face-table.ts";

const MAGIC = "RKL2";
const MAGIC_JSON_FACES = "RKL1";
const SNAPSHOT = "snapshot.bin";
/** The only names a snapshot may give its graph file: a crafted snapshot cannot point usearch elsewhere. */
const GRAPH_FILE = /^graph-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.usearch$/;
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

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const align = (n: number, to: number): number => Math.ceil(n / to) * to;

/**
 * The face model a collection's metadata names. A version this engine does not have is refused: its rows
 * cannot be sized (or searched) without the model, and reading them as another model's would load garbage.
 */
function faceModelOf(meta: CollectionMeta, where: string = meta.collectionId): FaceModel {
  try {
    return requireFaceModel(meta.faceModelVersion);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}; not loading it`);
  }
}

/** Bytes of `faces` rows of `model` in `encoding` (what a snapshot's header says; absent: float32). */
const rowBytesOf = (faces: number, model: FaceModel, encoding: RowEncoding = "float32"): number =>
  faces * rowBytesOfModel(model, encoding);

/** Room for new faces in a small collection's loaded rows. */
const SPARE_ROWS_AT_LEAST = 1024;

/** What follows the 8-byte prefix of an RKL2 snapshot. */
interface SnapshotHeader {
  meta: CollectionMeta;
  users: StoredUser[];
  faceCount: number;
  tableBytes: number;
  graphFile?: string;
  /** The graph file's length, checked before usearch reads it: a truncated file is rebuilt, never loaded. */
  graphBytes?: number;
  /** How the rows are encoded; absent in snapshots written before int8 rows (they are float32). */
  rowEncoding?: RowEncoding;
  /** The layout the graph was built under; absent before int8 rows (every graph was the float32 rows' f16 one). */
  graphLayout?: string;
}

/** Where an RKL2 snapshot's parts lie, from its header's length and contents (rows of `model`). */
function snapshotLayout(headerLength: number, header: SnapshotHeader, model: FaceModel) {
  const tableStart = align(8 + headerLength, 8);
  const rowsStart = align(tableStart + header.tableBytes, 4);
  return { tableStart, rowsStart, end: rowsStart + rowBytesOf(header.faceCount, model, header.rowEncoding) };
}

export async function writeSnapshot(directory: string, collection: Collection): Promise<void> {
  const graphFile = `graph-${randomUUID()}.usearch`;
  const graphPath = join(directory, graphFile);
  let renamed = false;
  let temporary: string | undefined;
  try {
    const saved = collection.index.serialise({ graphFile: graphPath });
    const { ids, vectors, graphFile: wroteGraph } = saved;
    const graphBytes = wroteGraph ? (await stat(graphPath)).size : 0;
    if (wroteGraph) await fsyncPath(graphPath);
    const table = encodeFaceTable([...collection.faces.values()], ids);
    const headerFields: SnapshotHeader = {
      meta: collection.meta,
      users: [...collection.users.values()],
      faceCount: ids.length,
      tableBytes: table.length,
      ...(saved.rowEncoding && { rowEncoding: saved.rowEncoding }),
      ...(wroteGraph && { graphFile, graphBytes, ...(saved.graphLayout && { graphLayout: saved.graphLayout }) }),
    };
    const header = Buffer.from(JSON.stringify(headerFields));
    const layout = snapshotLayout(header.length, headerFields, faceModelOf(collection.meta));
    const prefix = Buffer.alloc(8);
    prefix.write(MAGIC, 0, "ascii");
    prefix.writeUInt32LE(header.length, 4);
    const padding = (from: number, to: number) => Buffer.alloc(to - from);
    temporary = join(directory, `${SNAPSHOT}.${randomUUID()}.tmp`);
    const handle = await open(temporary, "w");
    try {
      await writeAll(handle, [
        prefix,
        header,
        padding(8 + header.length, layout.tableStart),
        table,
        padding(layout.tableStart + table.length, layout.rowsStart),
        vectors,
      ]);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // Never rename a short file over a good snapshot (a full disk): the journal would be cut after it.
    const written = (await stat(temporary)).size;
    if (written !== layout.end) throw new Error(`${temporary} holds ${written} bytes, expected ${layout.end}`);
    await rename(temporary, join(directory, SNAPSHOT));
    renamed = true;
    await fsyncPath(directory);
  } catch (error) {
    // Once renamed, the snapshot in place names this graph file: it must stay.
    if (!renamed) {
      await rm(graphPath, { force: true });
      if (temporary) await rm(temporary, { force: true });
    }
    throw error;
  }
  await removeGraphFilesExcept(directory, graphFile);
}

/** Writes every byte of `buffers` in order: one write call may write fewer bytes than asked (a full disk, or 2 GiB). */
async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  for (const buffer of buffers) {
    for (let done = 0; done < buffer.length;) {
      const { bytesWritten } = await handle.write(buffer, done, buffer.length - done);
      if (bytesWritten === 0) throw new Error("a snapshot write made no progress");
      done += bytesWritten;
    }
  }
}

/** Graph files other than `keep`: the previous snapshot's, or one a crash left before its snapshot was renamed. */
async function removeGraphFilesExcept(directory: string, keep: string | undefined): Promise<void> {
  for (const name of await readdir(directory)) {
    if (name !== keep && name.startsWith("graph-") && name.endsWith(".usearch")) {
      await rm(join(directory, name), { force: true });
    }
  }
}

/**
 * Deletes snapshot temporaries (up to ~50 MB each) that a crash during writeSnapshot left behind: nothing
 * else would ever remove them. Only while the collection is not open, so no snapshot is being written.
 */
export async function removeSnapshotLeftovers(directory: string): Promise<void> {
  for (const name of await readdir(directory)) {
    if (name.startsWith(`${SNAPSHOT}.`) && name.endsWith(".tmp")) await rm(join(directory, name), { force: true });
  }
  const named = await graphFileOf(directory);
  if (named !== null) await removeGraphFilesExcept(directory, named);
}

/**
 * The graph file the snapshot names; undefined for none (or an RKL1 snapshot, whose graph is inside it);
 * null when the snapshot cannot tell (damaged, or a name this server never writes): then no graph file is
 * deleted, and readCollection reports the damage.
 */
async function graphFileOf(directory: string): Promise<string | undefined | null> {
  const snapshot = await open(join(directory, SNAPSHOT), "r");
  try {
    const prefix = await readAt(snapshot, 0, 8);
    if (prefix.toString("ascii", 0, 4) !== MAGIC) return undefined;
    const headerLength = prefix.readUInt32LE(4);
    if (8 + headerLength > (await snapshot.stat()).size) return null;
    const header = JSON.parse((await readAt(snapshot, 8, headerLength)).toString("utf8")) as SnapshotHeader;
    if (header.graphFile !== undefined && !GRAPH_FILE.test(header.graphFile)) return null;
    return header.graphFile;
  } catch {
    return null;
  } finally {
    await snapshot.close();
  }
}

/** `length` bytes at `position`, into `into` when given (its whole length); throws if the file is shorter. */
async function readAt(handle: FileHandle, position: number, length: number, into?: Uint8Array): Promise<Buffer> {
  const target = into ?? Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(target, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`snapshot ends at byte ${position + done}, expected ${position + length}`);
    done += bytesRead;
  }
  return Buffer.from(target.buffer, target.byteOffset, length);
}

/**
 * Reads a collection folder: the snapshot, then every complete journal line (a torn last line was never
 * acknowledged). `journalBytes` is the length of the lines replayed: the journal must be cut back to it
 * before anything is appended, or the next line would be glued to the torn one and lost at the next start.
 * `indexOptions` go to the collection's vector index (tests lower its approximate threshold), with the face
 * model its metadata names in place of any the options give.
 */
export async function readCollection(
  directory: string,
  indexOptions: FaceVectorIndexOptions = {},
  log: (message: string) => void = () => {},
): Promise<{ collection: Collection; journalEntries: number; journalBytes: number; needsSnapshot: boolean }> {
  const { collection, needsSnapshot } = await readSnapshot(directory, indexOptions, log);
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
  // A graph rebuilt from the rows (or rows converted to the model's encoding) is saved at the next close even
  // with nothing journalled, or every start would redo it (minutes at a million faces).
  return { collection, journalEntries, journalBytes, needsSnapshot };
}

async function readSnapshot(
  directory: string,
  indexOptions: FaceVectorIndexOptions,
  log: (message: string) => void,
): Promise<{ collection: Collection; needsSnapshot: boolean }> {
  const path = join(directory, SNAPSHOT);
  const handle = await open(path, "r");
  try {
    const prefix = await readAt(handle, 0, 8);
    const magic = prefix.toString("ascii", 0, 4);
    if (magic === MAGIC_JSON_FACES)
      return { collection: await readJsonFacesSnapshot(path, indexOptions), needsSnapshot: false };
    if (magic !== MAGIC) throw new Error(`${path} is not a collection snapshot`);
    const headerLength = prefix.readUInt32LE(4);
    const { size } = await handle.stat();
    if (8 + headerLength > size) throw new Error(`${path} holds ${size} bytes, less than its header's ${headerLength}`);
    const header = JSON.parse((await readAt(handle, 8, headerLength)).toString("utf8")) as SnapshotHeader;
    const model = faceModelOf(header.meta, path);
    let layout: ReturnType<typeof snapshotLayout>;
    try {
      layout = snapshotLayout(headerLength, header, model);
    } catch (error) {
      // An encoding this build does not have (a newer build's, or damage): its rows cannot be sized or read.
      throw new Error(`${path}: ${(error as Error).message}; not loading it`);
    }
    if (size !== layout.end) throw new Error(`${path} holds ${size} bytes, expected ${layout.end}`);
    if (header.graphFile !== undefined && !GRAPH_FILE.test(header.graphFile)) {
      throw new Error(`${path} names graph file ${JSON.stringify(header.graphFile)}, not one this server writes`);
    }
    const { faces, rowIds } = decodeFaceTable(await readAt(handle, layout.tableStart, header.tableBytes));
    if (faces.length !== header.faceCount)
      throw new Error(`${path}: ${faces.length} faces, header says ${header.faceCount}`);
    // Read straight into an array handed over to the index, twice the rows' size like the index's own growth:
    // new faces go into the spare room without a copy of the million rows first, and the room costs no
    // resident memory until it is written.
    const rowBytes = rowBytesOf(header.faceCount, model, header.rowEncoding);
    const rows = new ArrayBuffer(Math.max(2 * rowBytes, rowBytesOf(SPARE_ROWS_AT_LEAST, model, header.rowEncoding)));
    await readAt(handle, layout.rowsStart, rowBytes, new Uint8Array(rows, 0, rowBytes));
    // idsKnownUnique: the table's row map is a permutation and createCollection refuses duplicate face ids.
    const saved = {
      ids: rowIds,
      vectors: Buffer.from(rows, 0, rowBytes),
      handOver: true,
      idsKnownUnique: true,
      ...(header.rowEncoding && { rowEncoding: header.rowEncoding }),
      ...(header.graphLayout && { graphLayout: header.graphLayout }),
    };
    // Rows saved in another encoding than the model keeps now (8.0's float32 rows from before int8 ones) are
    // converted by the load, and their graph rebuilt: both are saved at the next close, not redone every start.
    const converted = (header.rowEncoding ?? "float32") !== model.rows;
    // The collection's own model, whatever the caller's options say: it was created with it.
    const options = { ...indexOptions, faceModel: model };
    let index: FaceVectorIndex;
    let graphRebuilt = false;
    try {
      if (header.graphFile !== undefined && header.graphBytes !== undefined) {
        const graphSize = (await stat(join(directory, header.graphFile))).size;
        if (graphSize !== header.graphBytes) throw new Error(`${graphSize} bytes, expected ${header.graphBytes}`);
      }
      index = deserialiseFaceVectorIndex(
        { ...saved, ...(header.graphFile !== undefined && { graphFile: join(directory, header.graphFile) }) },
        options,
      );
    } catch (error) {
      // The rows are the faces; the graph only speeds up search. A missing or unreadable graph file costs a
      // rebuild from the rows (minutes at a million faces), not the collection.
      if (header.graphFile === undefined) throw error;
      log(
        `${directory}/${header.graphFile} could not be loaded (${String(error)}); rebuilding the graph from the rows`,
      );
      index = deserialiseFaceVectorIndex(saved, options);
      graphRebuilt = true;
    }
    const collection = createCollection(header.meta, index, { faces, users: header.users, indexHoldsFaces: true });
    return { collection, needsSnapshot: graphRebuilt || converted || index.graphRebuiltAtLoad };
  } finally {
    await handle.close();
  }
}

/** An RKL1 snapshot: face records as JSON in the header, the graph's bytes after the rows. */
async function readJsonFacesSnapshot(path: string, indexOptions: FaceVectorIndexOptions): Promise<Collection> {
  const data = await readFile(path);
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
  // Every RKL1 snapshot predates face model 8.0 and says "7.0"; checked as RKL2's are all the same.
  const model = faceModelOf(header.meta, path);
  const rowsStart = 8 + headerLength;
  const rowsEnd = rowsStart + rowBytesOf(header.ids.length, model);
  const graphBytes = header.graphBytes ?? 0;
  if (data.length !== rowsEnd + graphBytes) {
    throw new Error(`${path} holds ${data.length} bytes, expected ${rowsEnd + graphBytes}`);
  }
  // Copied to an aligned array of their own (float32 rows cannot start at an arbitrary byte offset), which the
  // index uses in place, so the snapshot's bytes, graph included, are not kept alive after this function.
  const rows = new Float32Array(new Uint8Array(data.subarray(rowsStart, rowsEnd)).buffer);
  const index = deserialiseFaceVectorIndex(
    {
      ids: header.ids,
      vectors: Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength),
      ...(graphBytes > 0 && { graph: data.subarray(rowsEnd) }),
    },
    { ...indexOptions, faceModel: model },
  );
  return createCollection(header.meta, index, { faces: header.faces, ...(header.users && { users: header.users }) });
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
  await fsyncPath(root);
}

/** Removes a collection folder: renamed away first, so a crash never leaves half a collection to load. */
export async function removeCollectionDirectory(root: string, directory: string): Promise<void> {
  const trash = join(root, `trash-${randomUUID()}`);
  await rename(directory, trash);
  await fsyncPath(root);
  await rm(trash, { recursive: true, force: true });
}
