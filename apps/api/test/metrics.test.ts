/**
 * What an operator scrapes: after real requests through the app and a real queue, GET /metrics on the
 * metrics listener counts them by route pattern and status, counts the job outcomes, shows the queue
 * depth, and still answers (redis_up 0) when Redis is down.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { Queue } from "bullmq";
import { INDEX_FACES_QUEUE } from "@faceindex/contracts";
import { uniqueName } from "@faceindex/testing";
import { buildMetricsServer } from "../src/metrics/metrics-server.ts";
import { registerQueueGauges } from "../src/metrics/queue-gauges.ts";
import { createMetricsRegistry, type MetricsRegistry } from "../src/metrics/registry.ts";
import { createHarness, postJson, validBody } from "./support/harness.ts";
import { indexedOutcome } from "./support/outcomes.ts";
import { buildStubApp, stubLane } from "./support/stub-app.ts";
import { deadRedis } from "./support/dead-redis.ts";

/** Scrapes the registry as Prometheus would, through the metrics listener; returns the answer and its samples. */
async function scrape(registry: MetricsRegistry) {
  const server = buildMetricsServer(registry);
  const response = await server.inject({ method: "GET", url: "/metrics" });
  await server.close();
  const samples = new Map<string, number>();
  for (const line of response.body.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return { response, samples };
}

describe("metrics over a real queue", () => {
  it("counts a 200, a 400 and a 401 on /index_faces by route and status, their outcomes, and the queue depth", async () => {
    const registry = createMetricsRegistry();
    const harness = await createHarness(inject("redisUrl"), { metrics: registry, logLevel: "silent" });
    try {
      await harness.startWorker(async (job) =>
        job.data.externalImageId === "faceless"
          ? { status: "no_face", message: "No face was found in the image", unindexed_faces: [] }
          : indexedOutcome(job),
      );
      const { app } = harness;
      expect((await postJson(app, "/index_faces", validBody())).statusCode).toBe(200);
      const noFace = await postJson(
        app,
        "/index_faces",
        validBody({ external_image_id: "faceless", image_key: "customers/43/selfie.jpg" }),
      );
      expect(noFace.statusCode).toBe(400);
      expect((await app.inject({ method: "POST", url: "/index_faces", payload: validBody() })).statusCode).toBe(401);
      expect((await app.inject({ method: "GET", url: "/no/such/route?user=42" })).statusCode).toBe(404);

      const { response, samples } = await scrape(registry);
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(samples.get('faceindex_http_requests_total{route="/index_faces",status="200"}')).toBe(1);
      expect(samples.get('faceindex_http_requests_total{route="/index_faces",status="400"}')).toBe(1);
      expect(samples.get('faceindex_http_requests_total{route="/index_faces",status="401"}')).toBe(1);
      // Unknown URLs share one label: the raw path (and its query) never becomes a series.
      expect(samples.get('faceindex_http_requests_total{route="unmatched",status="404"}')).toBe(1);
      expect(response.body).not.toContain("/no/such/route");
      expect(samples.get('faceindex_http_request_duration_seconds_count{route="/index_faces"}')).toBe(3);
      expect(samples.get('faceindex_http_request_duration_seconds_bucket{le="+Inf",route="/index_faces"}')).toBe(3);
      expect(samples.get("faceindex_requests_in_flight")).toBe(0);
      // The 401 never reached the queue: two jobs, two outcomes.
      expect(samples.get('faceindex_job_outcomes_total{queue="index-faces",outcome="indexed"}')).toBe(1);
      expect(samples.get('faceindex_job_outcomes_total{queue="index-faces",outcome="no_face"}')).toBe(1);
      for (const state of ["waiting", "active", "delayed", "failed"]) {
        expect(samples.get(`faceindex_queue_jobs{queue="index-faces",state="${state}"}`)).toBe(0);
      }
      expect(samples.get('faceindex_queue_jobs{queue="index-faces",state="completed"}')).toBe(2);
      expect(samples.get("faceindex_redis_up")).toBe(1);
      // prom-client's process metrics, which MAX_IN_FLIGHT and the memory alerts are read against.
      expect(samples.get("nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
      expect(samples.get("process_resident_memory_bytes")).toBeGreaterThan(0);
      expect(samples.has("nodejs_eventloop_lag_p99_seconds")).toBe(true);
      expect(response.body).toContain("# TYPE nodejs_gc_duration_seconds histogram");
    } finally {
      await harness.close();
    }
  });

  it("is not served by the public API", async () => {
    const { app } = buildStubApp({ metrics: createMetricsRegistry() });
    expect((await app.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(404);
    await app.close();
  });
});

describe("metrics during a Redis outage", () => {
  const dead = deadRedis();
  afterAll(() => dead.disconnect());

  it("still answers the scrape, with faceindex_redis_up 0 and no stale queue counts", async () => {
    const queue = new Queue(INDEX_FACES_QUEUE, { connection: dead, prefix: `{${uniqueName("api-metrics-dead")}}` });
    queue.on("error", () => undefined);
    const registry = createMetricsRegistry();
    registerQueueGauges(registry, { redis: dead, queues: [queue], timeoutMs: 500 });
    const { app } = buildStubApp({ redis: dead, lanes: { index: stubLane("index", queue) }, metrics: registry });
    expect((await postJson(app, "/index_faces", validBody())).statusCode).toBe(503);

    const { response, samples } = await scrape(registry);
    expect(response.statusCode).toBe(200);
    expect(samples.get("faceindex_redis_up")).toBe(0);
    expect(response.body).not.toMatch(/^faceindex_queue_jobs\{/m);
    expect(samples.get('faceindex_http_requests_total{route="/index_faces",status="503"}')).toBe(1);
    await app.close();
    await queue.close().catch(() => undefined);
  });
});
