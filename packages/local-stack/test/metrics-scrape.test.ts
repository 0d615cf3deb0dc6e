/**
 * What a Prometheus server scraping a running stack sees: the API's and the worker's GET /metrics, on
 * their own ports, both moving while requests flow (API, worker, local S3 and Rekognition as processes).
 */
import { facePhoto } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startThrowawayStack, type ThrowawayStack } from "../src/throwaway-stack.ts";

let stack: ThrowawayStack;

beforeAll(async () => {
  stack = await startThrowawayStack({
    name: "metrics",
    faceEngine: "load-test",
    redisUrl: inject("redisUrl"),
    metrics: true,
    stdio: "ignore",
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

/** One scrape as Prometheus parses it: series (name plus labels, as printed) to value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

function post(path: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${stack.apiUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("GET /metrics of the API and the worker", () => {
  it("both move as requests flow", async () => {
    const apiUrl = stack.apiMetricsUrl!;
    const [workerUrl] = stack.workerMetricsUrls;
    expect(workerUrl).toBeDefined();
    const apiBefore = await scrape(apiUrl);
    const workerBefore = await scrape(workerUrl!);
    const moved = (after: Map<string, number>, before: Map<string, number>, series: string) =>
      (after.get(series) ?? 0) - (before.get(series) ?? 0);

    const image = facePhoto("same/obama_1.jpg").toString("base64");
    for (const id of ["user-m1", "user-m2", "user-m3"]) {
      const response = await post("/index_faces", {
        image,
        bucket: stack.bucket,
        image_key: `selfies/${id}.jpg`,
        external_image_id: id,
      });
      expect(response.status, await response.clone().text()).toBe(200);
    }
    expect((await post("/search_faces", { image })).status).toBe(200);

    const apiAfter = await scrape(apiUrl);
    const workerAfter = await scrape(workerUrl!);
    expect(moved(apiAfter, apiBefore, 'faceindex_http_requests_total{route="/index_faces",status="200"}')).toBe(3);
    expect(moved(apiAfter, apiBefore, 'faceindex_job_outcomes_total{queue="index-faces",outcome="indexed"}')).toBe(3);
    expect(apiAfter.get("nodejs_heap_size_used_bytes")).toBeGreaterThan(0);

    expect(moved(workerAfter, workerBefore, 'faceindex_worker_jobs_total{kind="index",outcome="indexed"}')).toBe(3);
    expect(moved(workerAfter, workerBefore, 'faceindex_worker_jobs_total{kind="search",outcome="searched"}')).toBe(1);
    expect(moved(workerAfter, workerBefore, 'faceindex_worker_attempt_duration_seconds_count{kind="index"}')).toBe(3);
    expect(
      moved(
        workerAfter,
        workerBefore,
        'faceindex_worker_aws_calls_total{service="s3",operation="PutObject",outcome="ok"}',
      ),
    ).toBe(3);
    expect(
      moved(
        workerAfter,
        workerBefore,
        'faceindex_worker_aws_calls_total{service="rekognition",operation="IndexFaces",outcome="ok"}',
      ),
    ).toBe(3);
    expect(
      moved(
        workerAfter,
        workerBefore,
        'faceindex_worker_aws_calls_total{service="rekognition",operation="SearchFacesByImage",outcome="ok"}',
      ),
    ).toBe(1);
    expect(workerAfter.get("process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(workerAfter.has("nodejs_eventloop_lag_p99_seconds")).toBe(true);
  });
});
