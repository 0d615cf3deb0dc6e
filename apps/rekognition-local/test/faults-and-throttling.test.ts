/** The /_local/ knobs: injected faults and the TPS limit, as a client with retries would meet them. */
import {
  CreateCollectionCommand,
  IndexFacesCommand,
  ListCollectionsCommand,
  RekognitionServiceException,
} from "@aws-sdk/client-rekognition";
import { clearFaults, facePhoto, pendingFaults, postFault, uniqueName, type InjectedFault } from "@faceindex/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRateLimiter } from "../src/local/rate-limit.ts";
import { startTestStack, type TestStack } from "./test-stack.ts";

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ engine: "load-test" });
});

afterEach(async () => {
  await clearFaults(stack.rekognitionUrl);
});

afterAll(async () => {
  await stack?.close();
});

const addFault = (fault: InjectedFault): Promise<Response> => postFault(stack.rekognitionUrl, fault);

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (error instanceof RekognitionServiceException)
      return `${error.$metadata.httpStatusCode} ${error.name}: ${error.message}`;
    return `${(error as Error).name}`;
  }
}

describe("fault injection", () => {
  it("fails the next N calls of one operation, then lets calls through", async () => {
    const id = uniqueName("faults");
    await stack.rekognition.send(new CreateCollectionCommand({ CollectionId: id }));
    expect(
      (await addFault({ operation: "IndexFaces", count: 2, code: "ThrottlingException", message: "Slow down" })).status,
    ).toBe(201);
    expect(await pendingFaults(stack.rekognitionUrl)).toEqual([
      { operation: "IndexFaces", count: 2, code: "ThrottlingException", message: "Slow down" },
    ]);

    const index = () =>
      stack.rekognition.send(
        new IndexFacesCommand({ CollectionId: id, Image: { Bytes: facePhoto("same/obama_1.jpg") } }),
      );
    // Other operations are not affected.
    expect(await outcome(stack.rekognition.send(new ListCollectionsCommand({})))).toBe("ok");
    // ThrottlingException is a server fault in Rekognition's model ("fault": true): HTTP 500, as AWS answers it.
    expect(await outcome(index())).toBe("500 ThrottlingException: Slow down");
    expect(await outcome(index())).toBe("500 ThrottlingException: Slow down");
    expect(await outcome(index())).toBe("ok");
  });

  it("injects a 500 InternalServerError, and DELETE clears pending faults", async () => {
    await addFault({ operation: "ListCollections", count: 5, code: "InternalServerError" });
    expect(await outcome(stack.rekognition.send(new ListCollectionsCommand({})))).toMatch(/^500 InternalServerError/);
    await clearFaults(stack.rekognitionUrl);
    expect(await outcome(stack.rekognition.send(new ListCollectionsCommand({})))).toBe("ok");
  });

  it("delays a call past a client's timeout", async () => {
    await addFault({ operation: "ListCollections", count: 1, latencyMs: 3_000 });
    const timedOut = await outcome(
      stack.rekognition.send(new ListCollectionsCommand({}), { abortSignal: AbortSignal.timeout(200) }),
    );
    expect(timedOut).toBe("AbortError");
  });

  it("rejects a malformed fault with a 400 naming the problem", async () => {
    const noEffect = await addFault({ operation: "IndexFaces", count: 1 });
    expect(noEffect.status).toBe(400);
    expect(await noEffect.text()).toContain("a fault needs a code");
    const badCount = await addFault({ operation: "IndexFaces", count: 0, code: "ThrottlingException" });
    expect(badCount.status).toBe(400);
    expect(await badCount.text()).toContain("count");
  });

  it("reports readiness", async () => {
    const health = await fetch(`${stack.rekognitionUrl}/_local/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", engine: "load-test" });
  });
});

describe("TPS limit", () => {
  it("answers ProvisionedThroughputExceededException (HTTP 400) above the limit, per operation, as AWS does for a TPS quota", async () => {
    const limited = await startTestStack({ engine: "load-test", tpsLimit: 2 });
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => outcome(limited.rekognition.send(new ListCollectionsCommand({})))),
      );
      expect(results.filter((r) => r === "ok").length).toBeGreaterThanOrEqual(2);
      expect(results).toContain("400 ProvisionedThroughputExceededException: Provisioned rate exceeded");
      // Another operation has its own budget.
      expect(
        await outcome(limited.rekognition.send(new CreateCollectionCommand({ CollectionId: uniqueName("tps") }))),
      ).toBe("ok");
    } finally {
      await limited.close();
    }
  });

  it("lets calls through under a limit below 1 per second (one call, then one per 1/tps seconds)", async () => {
    let now = 0;
    const limiter = createRateLimiter(0.5, () => now);
    expect(limiter.tryAcquire("IndexFaces")).toBe(true);
    expect(limiter.tryAcquire("IndexFaces")).toBe(false);
    now = 2_000;
    expect(limiter.tryAcquire("IndexFaces")).toBe(true);
  });
});
