/**
 * `pnpm bench`: the queue-vs-direct pipeline comparison, the Rekognition quota scenario, then each --then
 * package's own `bench` script (the face engine's and the local Rekognition server's). Flags: bench-options.ts.
 * All traffic goes to 127.0.0.1, bounded in time.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { parseBenchOptions, runsSection, sectionOfPackage } from "./bench-options.ts";
import { runPipelineBench } from "./pipeline/pipeline-bench.ts";
import { openBenchRedis } from "./processes/bench-redis.ts";
import { runQuotaBench } from "./quota/quota-bench.ts";

// Ctrl-C or a kill: exit through process.exit, whose handler kills every server the bench started.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

const options = (() => {
  try {
    return parseBenchOptions(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  }
})();
console.log(`faceindex bench, ${new Date().toISOString()}, ${cpus().length} cores, node ${process.version}`);
console.log(`  machine load at start: ${loadAverage()}`);

if (runsSection(options, "pipeline") || runsSection(options, "quota")) {
  const redis = await openBenchRedis(options.sharedRedisUrl);
  try {
    if (runsSection(options, "pipeline")) await runPipelineBench(redis, options);
    if (runsSection(options, "quota")) await runQuotaBench(redis, options);
  } finally {
    await redis.stop();
  }
  console.log(`  machine load at end: ${loadAverage()}`);
}

for (const packageName of options.then) {
  if (!runsSection(options, sectionOfPackage(packageName))) continue;
  console.log(`\n${packageName} bench:`);
  const { status } = spawnSync("pnpm", ["--filter", packageName, "bench"], { stdio: "inherit" });
  if (status !== 0) {
    console.error(`${packageName} bench failed (exit ${status})`);
    process.exitCode = 1;
  }
}

/** `uptime`'s load averages: the machine is shared, so every figure comes with how busy it was. */
function loadAverage(): string {
  try {
    return execFileSync("uptime", { encoding: "utf8" })
      .trim()
      .replace(/^.*load average/, "load average");
  } catch {
    return "unknown";
  }
}
