/**
 * The large-collection figures: add throughput, memory, load time of a saved collection, SearchFaces
 * latency and recall of the true best match against brute force, over `faces` synthetic descriptors
 * (synthetic-faces.ts). Queries are new photos of stored people, as a duplicate check sends.
 */
import {
  createFaceVectorIndex,
  DEFAULT_FACE_MATCH_THRESHOLD,
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
const SWEPT_EXPANSIONS = [256, 512, 1024];
/** People kept to send new photos of as queries, spread evenly over the collection. */
const KEPT_PEOPLE = 5000;

function fill(index: FaceVectorIndex, count: number, seed: number): { seconds: number; people: Float32Array[] } {
  const faces = syntheticFaces(seed, { faceModel: index.faceModel });
  const people: Float32Array[] = [];
  const keepEvery = Math.max(1, Math.floor(count / KEPT_PEOPLE));
  let seconds = 0;
  for (let done = 0; done < count; done += SLICE) {
    const batch: Float32Array[] = [];
    for (let i = done; i < Math.min(count, done + SLICE); i++) {
      const person = faces.person();
      if (i % keepEvery === 0) people.push(person);
      batch.push(faces.photo(person));
    }
    const t = performance.now();
    batch.forEach((photo, i) => index.add(`face-${done + i}`, photo));
    seconds += (performance.now() - t) / 1000;
  }
  return { seconds, people };
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
  console.log(
    `  memory: rss +${mb(rss)} (vectors ${mb(count * faceModel.descriptorLength * 4)} float32 + graph + ids)`,
  );

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

  // Brute force over the same rows: the true best match, and today's search time for comparison.
  const exact = deserialiseFaceVectorIndex(
    { ids: data.ids, vectors: data.vectors },
    { approximateFrom: Infinity, faceModel },
  );
  const exactTimes: number[] = [];
  let agree = 0;
  const truths: (string | undefined)[] = [];
  queryVectors.forEach((query, q) => {
    const s = performance.now();
    const truth = exact.search(query, { maxResults: 10, minSimilarity: DEFAULT_FACE_MATCH_THRESHOLD })[0]?.id;
    exactTimes.push(performance.now() - s);
    truths.push(truth);
    if (truth === best[q]) agree++;
  });
  console.log(
    `  recall of the true best match: ${((100 * agree) / queries).toFixed(2)}% (${agree}/${queries}); brute force p50 ${percentile(exactTimes, 50).toFixed(1)} ms, p99 ${percentile(exactTimes, 99).toFixed(1)} ms`,
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
