/**
 * The pipeline comparison: for each image size and client count, the direct baseline and then the queue path
 * under the same closed-loop load against the zero-cost stand-in; prints a line per row as it goes and the
 * README table at the end.
 */
import { makeBenchImage, type ImageSizeName } from "../bench-images.ts";
import { bodyFactory } from "../load/request-body.ts";
import type { BenchRedis } from "../processes/bench-redis.ts";
import { measureRow, type RowResult } from "./pipeline-row.ts";
import { startPipelineSystems } from "./pipeline-systems.ts";
import { readStandInStats } from "../stand-in/stand-in-stats.ts";
import { comparisonProblems, comparisonTable, type ComparisonRow } from "./pipeline-table.ts";

export interface PipelineBenchOptions {
  sizes: ImageSizeName[];
  clients: number[];
  durationSeconds: number;
  warmupSeconds: number;
}

export async function runPipelineBench(redis: BenchRedis, options: PipelineBenchOptions): Promise<void> {
  const systems = await startPipelineSystems(redis);
  const rows: ComparisonRow[] = [];
  try {
    const shared = { token: systems.token, standInUrl: systems.standInUrl };
    const { pids } = systems;
    // The load generator and the stand-in share the 2 cores with the paths: their cost is printed too.
    const extras = { standIn: pids.standIn, loadGenerator: process.pid };
    console.log(
      `pipeline: ${options.durationSeconds} s per row after ${options.warmupSeconds} s warm-up, ` +
        `one worker x 64, Redis ${redis.pid ? "private" : "shared (its CPU is not attributed)"}`,
    );
    for (const size of options.sizes) {
      const image = await makeBenchImage(size);
      for (const clients of options.clients) {
        const row = (path: "direct" | "queue", url: string, pathPids: Record<string, number>) =>
          measureRow({
            ...shared,
            url: `${url}/index_faces`,
            clients,
            durationSeconds: options.durationSeconds,
            warmupSeconds: options.warmupSeconds,
            body: bodyFactory(image.bytes, systems.bucket, `${path}-${size}-${clients}`),
            pids: { ...pathPids, ...extras },
          });
        const direct = await row("direct", systems.directUrl, { direct: pids.direct });
        printRow("direct", size, clients, direct);
        const queue = await row("queue", systems.apiUrl, {
          api: pids.api,
          worker: pids.worker,
          ...(pids.redis ? { redis: pids.redis } : {}),
        });
        printRow("queue", size, clients, queue);
        const bodyBytes = bodyFactory(image.bytes, systems.bucket, "size")().length;
        rows.push({ imageBytes: image.bytes.length, bodyBytes, clients, direct, queue });
      }
    }
    // Calls of the worker or the direct path that the stand-in does not expect (it answers them with an error).
    const { other } = await readStandInStats(systems.standInUrl);
    console.log(`  stand-in calls besides PUT and IndexFaces: ${JSON.stringify(other)}`);
  } finally {
    await systems.stop();
  }
  console.log("\n" + comparisonTable(rows) + "\n");
  for (const problem of comparisonProblems(rows)) console.log(`  note: ${problem}`);
}

function printRow(path: string, size: string, clients: number, row: RowResult): void {
  const cpu = Object.entries(row.cpuMsPerRequest)
    .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
    .join(", ");
  const { load } = row;
  console.log(
    `  ${path.padEnd(6)} ${size.padEnd(5)} ${String(clients).padStart(2)} clients: ${load.okPerSecond.toFixed(0)} req/s, ` +
      `p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms, served ${row.served}, ` +
      `statuses ${JSON.stringify(load.statuses)}; CPU ms/request: ${cpu}`,
  );
}
