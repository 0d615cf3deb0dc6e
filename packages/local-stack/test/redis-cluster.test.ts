/**
 * The stack on a real Redis Cluster (three nodes from the local redis-server, REDIS_CLUSTER=true): API,
 * worker, local S3 and Rekognition as processes; index, search and delete through it, and a worker
 * SIGKILLed mid-job whose job a second worker finishes.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { facePhoto, startRedisCluster, uniqueName, type RedisCluster } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startThrowawayStack, type ThrowawayStack } from "../src/throwaway-stack.ts";

let cluster: RedisCluster;
let stack: ThrowawayStack;

beforeAll(async () => {
  cluster = await startRedisCluster();
  const prefix = `{${uniqueName("cluster")}}`;
  stack = await startThrowawayStack({
    name: "cluster",
    faceEngine: "load-test",
    // The seed is a node that does not hold the prefix's slot: without cluster mode every command there
    // would fail with MOVED, so a pass shows the apps follow the cluster.
    redisUrl: await cluster.urlNotServing(prefix),
    // A short job lock, so the killed worker's job is re-run well inside the API's wait.
    extraEnv: { REDIS_CLUSTER: "true", QUEUE_PREFIX: prefix, JOB_LOCK_MS: "3000", STALLED_CHECK_MS: "1000" },
    stdio: "ignore",
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await cluster?.stop();
});

function post(path: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${stack.apiUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const image = facePhoto("same/obama_1.jpg").toString("base64");
const enrol = (id: string) =>
  post("/index_faces", { image, bucket: stack.bucket, image_key: `selfies/${id}.jpg`, external_image_id: id });

describe("on a Redis Cluster", () => {
  it("indexes, searches and deletes", async () => {
    const indexed = await enrol("user-cluster");
    expect(indexed.status, await indexed.clone().text()).toBe(200);
    const searched = await post("/search_faces", { image });
    expect(searched.status).toBe(200);
    const matches = ((await searched.json()) as { data: { matches: { external_image_id: string }[] } }).data.matches;
    expect(matches.map((match) => match.external_image_id)).toContain("user-cluster");
    const deleted = await post("/delete_faces_from_collection", {
      bucket: stack.bucket,
      external_image_id: "user-cluster",
    });
    expect(deleted.status, await deleted.clone().text()).toBe(200);
    const again = await post("/delete_faces_from_collection", {
      bucket: stack.bucket,
      external_image_id: "user-cluster",
    });
    // The faces are gone; the stored selfie was kept (no delete_image), so the person is still known: 200, no faces.
    expect(again.status).toBe(200);
    const response = (
      (await again.json()) as { response: { deleted_face_ids: string[]; remaining_image_keys: string[] } }
    ).response;
    expect(response.deleted_face_ids).toEqual([]);
    expect(response.remaining_image_keys.length).toBe(1);
  });

  it("finishes the job of a SIGKILLed worker on a second worker", async () => {
    const killed = stack.workers[0]!;
    // The next IndexFaces is slowed, so the job is surely inside the worker when it is killed.
    await fetch(`${stack.rekognitionUrl}/_local/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ operation: "IndexFaces", count: 1, latencyMs: 4_000 }),
    });
    const pending = enrol("user-killed");
    for (let i = 0; i < 200; i++) {
      const { faults } = (await (await fetch(`${stack.rekognitionUrl}/_local/faults`)).json()) as { faults: unknown[] };
      if (faults.length === 0) break; // consumed: the call is in flight
      await sleep(50);
    }
    const exited = new Promise((resolve) => killed.child.once("exit", resolve));
    killed.child.kill("SIGKILL");
    await exited;
    const second = await stack.addWorker();

    const response = await pending;
    expect(response.status, await response.clone().text()).toBe(200);
    expect(((await response.json()) as { data: { external_image_id: string } }).data.external_image_id).toBe(
      "user-killed",
    );
    expect(killed.child.signalCode).toBe("SIGKILL");
    expect(second.child.exitCode).toBeNull();
  });
});
