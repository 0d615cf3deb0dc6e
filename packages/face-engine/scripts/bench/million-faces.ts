/**
 * The large-collection figures: add throughput, memory, load time of a saved collection, SearchFaces
 * latency and recall of the true best match against brute force, over `faces` synthetic descriptors
 * (synthetic-faces.ts). Queries are new photos of stored people, as a duplicate check sends. The true best
 * match is found over the float32 descriptors themselves (usearch's exact search, every core), not over the
 * index's rows: for a model with int8 rows, recall then counts what the rows' precision costs too.
 */
import { exactSearch, MetricKind } from "usearch";
import {
  createFaceVectorIndex,
  DEFAULT_FACE_MATCH_THRESHOLD,
  distanceFromSimilarity,
  deserialiseFaceVectorIndex,
  type FaceModel,
  type FaceVectorIndex,
} from "../../src/index.ts";
import { seededRandom, syntheticFaces } from "../synthetic-faces.ts";

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MB`;
const percentile = (ms: number[], p: number): number =>
  [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))]!;

/** Faces generated per slice, so that the timing covers the index's add and not the random generator. */
const SLICE = 50_000;
/** Search expansions tried on the saved graph after the default's figures (the default is EXPANSION_SEARCH). */
const SWEPT_EXPANSIONS = [256, 384, 512, 1024];
/** People kept to send new photos of as queries, spread evenly over the collection. */
const KEPT_PEOPLE = 5000;

/** The collection's photos, SLICE at a time, and every keepEvery-th face's person; the same for the same seed. */
function* photoSlices(
  count: number,
  seed: number,
  faceModel: FaceModel,
  people: Float32Array[] = [],
): Generator<Float32Array[]> {
  const faces = syntheticFaces(seed, { faceModel });
  const keepEvery = Math.max(1, Math.floor(count / KEPT_PEOPLE));
  for (let done = 0; done < count; done += SLICE) {
    const batch: Float32Array[] = [];
    for (let i = done; i < Math.min(count, done + SLICE); i++) {
      const person = faces.person();
      if (i % keepEvery === 0) people.push(person);
      batch.push(faces.photo(person));
    }
    yield batch;
  }
}

function fill(index: FaceVectorIndex, count: number, seed: number): { seconds: number; people: Float32Array[] } {
  const people: Float32Array[] = [];
  let seconds = 0;
  let done = 0;
  for (const batch of photoSlices(count, seed, index.faceModel, people)) {
    const t = performance.now();
    batch.forEach((photo, i) => index.add(`face-${done + i}`, photo));
    seconds += (performance.now() - t) / 1000;
    done += batch.length;
  }
  return { seconds, people };
}

/** Per query, the id of its nearest photo over the float32 photos, when that one passes the threshold. */
function trueBestMatches(
  count: number,
  seed: number,
  faceModel: FaceModel,
  queries: Float32Array[],
): (string | undefined)[] {
  const length = faceModel.descriptorLength;
  const matrix = new Float32Array(queries.length * length);
  queries.forEach((q, i) => matrix.set(q, i * length));
  const best = queries.map(() => ({ row: -1, dot: Number.NEGATIVE_INFINITY }));
  let done = 0;
  for (const batch of photoSlices(count, seed, faceModel)) {
    const photos = new Float32Array(batch.length * length);
    batch.forEach((photo, i) => photos.set(photo, i * length));
    // Inner-product distance is 1 - dot; threads 0 = every core.
    const found = exactSearch(photos, matrix, length, 1, MetricKind.IP, 0);
    const { keys, distances } = found as unknown as { keys: BigUint64Array; distances: Float32Array };
    best.forEach((b, q) => {
      const dot = 1 - distances[q]!;
      if (dot > b.dot) ((b.dot = dot), (b.row = done + Number(keys[q]!)));
    });
    done += batch.length;
  }
  const minDot = 1 - distanceFromSimilarity(DEFAULT_FACE_MATCH_THRESHOLD, faceModel) ** 2 / 2;
  return best.map((b) => (b.dot >= minDot ? `face-${b.row}` : undefined));
}

export function benchMillionFaces(count: number, queries: number, faceModel: FaceModel): void {
  console.log(
    `\n${count.toLocaleString("en")} synthetic faces of face model ${faceModel.version} (${faceModel.descriptorLength}-d), ${queries} queries (new photos of stored people)`,
  );
  global.gc?.();
  const before = process.memoryUsage().rss;
  const index = createFaceVectorIndex({ faceModel });
  const { seconds, people } = fill(index, count, 1);
  global.gc?.();
  const rss = process.memoryUsage().rss - before;
  console.log(
    `  add: ${(count / seconds).toFixed(0)} faces/s (${seconds.toFixed(1)} s, graph built and extended in batches); approximate: ${index.approximate}`,
  );
  console.log(`  memory: rss +${mb(rss)} (rows ${mb(count * index.rowBytes)} ${faceModel.rows} + graph + ids)`);

  const probes = syntheticFaces(2, { faceModel });
  const pick = seededRandom(3);
  const queryVectors = Array.from({ length: queries }, () => probes.photo(people[Math.floor(pick() * people.length)]!));
  const times: number[] = [];
  const best: (string | undefined)[] = [];
  for (const query of queryVectors) {
    const t = performance.now();
    const found = index.search(query, { maxResults: 10, minSimilarity: DEFAULT_FACE_MATCH_THRESHOLD });
    times.push(performance.now() - t);
    best.push(found[0]?.id);
  }
  console.log(
    `  SearchFaces (maxResults 10, threshold 80): p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`,
  );

  const data = index.serialise();
  const t = performance.now();
  const loaded = deserialiseFaceVectorIndex(data, { faceModel });
  console.log(
    `  load a saved collection (deserialise ids, vectors and graph): ${((performance.now() - t) / 1000).toFixed(2)} s; graph ${mb(data.graph?.byteLength ?? 0)} on disk`,
  );
  void loaded.size;

  const truths = trueBestMatches(count, 1, faceModel, queryVectors);
  // Brute force over the same rows, for its search time, and how often it finds the true best match.
  const exact = deserialiseFaceVectorIndex(
    { ids: data.ids, vectors: data.vectors, rowEncoding: data.rowEncoding },
    { approximateFrom: Infinity, faceModel },
  );
  const exactTimes: number[] = [];
  let rowsAgree = 0;
  queryVectors.forEach((query, q) => {
    const s = performance.now();
    const first = exact.search(query, { maxResults: 10, minSimilarity: DEFAULT_FACE_MATCH_THRESHOLD })[0]?.id;
    exactTimes.push(performance.now() - s);
    if (first === truths[q]) rowsAgree++;
  });
  const agree = best.filter((id, q) => id === truths[q]).length;
  console.log(
    `  recall of the true best match (float32 brute force): ${((100 * agree) / queries).toFixed(2)}% (${agree}/${queries}); brute force over the ${faceModel.rows} rows finds it for ${rowsAgree}/${queries}, p50 ${percentile(exactTimes, 50).toFixed(1)} ms, p99 ${percentile(exactTimes, 99).toFixed(1)} ms`,
  );
  // The same saved graph searched with wider expansions: what recall costs in search time, in one build.
  for (const expansionSearch of SWEPT_EXPANSIONS) {
    global.gc?.();
    const wider = deserialiseFaceVectorIndex(data, { expansionSearch, faceModel });
    const wideTimes: number[] = [];
    let found = 0;
    queryVectors.forEach((query, q) => {
      const s = performance.now();
      const first = wider.search(query, { maxResults: 10, minSimilarity: DEFAULT_FACE_MATCH_THRESHOLD })[0]?.id;
      wideTimes.push(performance.now() - s);
      if (first === truths[q]) found++;
    });
    console.log(
      `  expansion ${expansionSearch}: recall ${((100 * found) / queries).toFixed(2)}% (${found}/${queries}), SearchFaces p50 ${percentile(wideTimes, 50).toFixed(2)} ms, p99 ${percentile(wideTimes, 99).toFixed(2)} ms`,
    );
  }
  const today = createFaceVectorIndex({ approximateFrom: Infinity, faceModel });
  const sample = Math.min(count, 200_000);
  const todaySeconds = fill(today, sample, 4).seconds;
  console.log(
    `  add without the graph (today's index), first ${sample.toLocaleString("en")}: ${(sample / todaySeconds).toFixed(0)} faces/s`,
  );
}
