/**
 * `pnpm start`: the whole faceindex stack on this machine, no AWS account needed. Prints the API's URL and
 * a ready-to-use dev token; Ctrl-C stops everything. A child that dies is started again (with backoff); if
 * this process dies, even by SIGKILL, every child stops by itself (see parent-watchdog.ts); if pnpm dies
 * without it, it stops the stack itself (orphan-watch.ts).
 */
import { signDevToken } from "@faceindex/dev-token";
import { onOrphaned } from "./orphan-watch.ts";
import { RedisUnavailableError } from "./redis-server.ts";
import { startLocalStack } from "./local-stack.ts";
import { stackConfigFromEnv } from "./stack-config.ts";

const config = stackConfigFromEnv(process.env);
console.log(
  `faceindex: starting the local stack (data in ${config.dataDir}); loading the face models takes a minute...`,
);

let stack;
try {
  // One metrics port per worker from WORKER_METRICS_PORT up (9465 beside the API's 9464); 0 turns them off.
  const workerMetricsBase = Number(process.env.WORKER_METRICS_PORT || 9465);
  stack = await startLocalStack({
    ...config,
    ...(workerMetricsBase === 0 ? {} : { workerMetricsPort: (index: number) => workerMetricsBase + index }),
  });
} catch (error) {
  console.error(`faceindex: could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof RedisUnavailableError ? 2 : 1);
}

const s3Keys = `${config.s3Credentials!.accessKeyId} / ${config.s3Credentials!.secretAccessKey}`;
// Every scope (signDevToken's default), no tenant: the stack runs single-tenant over its own buckets.
const token = await signDevToken(config.jwtSecret, { subject: "dev-user", expiresIn: "12h" });
console.log(`
faceindex is running.
  API:          ${stack.apiUrl}   (POST /index_faces, GET /healthz, GET /readyz)
  S3 (local):   ${stack.s3Endpoint}   buckets: ${config.buckets.join(", ")}   keys: ${s3Keys} (signed requests only)
  Rekognition:  ${stack.rekognitionUrl}   collection: ${config.collectionId}
  Redis:        ${stack.redisUrl}${stack.redis ? `   maxmemory ${config.redisMaxmemory}, noeviction` : ""}
  Worker:       ${config.workers} process(es)   health: ${stack.workerHealthUrl ?? "(no health endpoint yet)"}
                metrics: ${stack.workerMetricsUrls.join(", ") || "off (WORKER_METRICS_PORT=0)"}
  Metrics:      http://127.0.0.1:${process.env.METRICS_PORT || 9464}/metrics   (Prometheus; METRICS_PORT=0 turns it off)

Dev token (12 h, every scope; \`pnpm token\` prints a new one, \`pnpm token --scope faces:search\` a narrower one):
  ${token}

Try it:
  curl -s ${stack.apiUrl}/index_faces -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
    -d "{\\"image\\":\\"$(base64 -w0 photo.jpg)\\",\\"bucket\\":\\"${config.buckets[0] ?? "faceindex-local"}\\",\\"image_key\\":\\"selfies/1.jpg\\",\\"external_image_id\\":\\"user-1\\"}"
`);

let stopping = false;
const shutdown = async (reason: string, exitCode: number) => {
  if (stopping) return;
  stopping = true;
  console.log(`faceindex: ${reason}, stopping...`);
  await stack.stop();
  process.exit(exitCode);
};
process.on("SIGINT", () => void shutdown("SIGINT", 0));
process.on("SIGTERM", () => void shutdown("SIGTERM", 0));
process.on("SIGHUP", () => void shutdown("SIGHUP", 0)); // the terminal closed
onOrphaned(() => void shutdown("its parent (pnpm) exited", 0));
// A child that dies is restarted by its supervisor (logged on stderr); the stack itself keeps running.
