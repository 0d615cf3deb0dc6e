/**
 * Requests holding an image are capped per process: past MAX_IN_FLIGHT, 503 + Retry-After at once, before
 * the body is read (replays that would attach to an existing job included); slots come back when requests
 * end, but not while a handler whose client left still holds the body.
 */
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { createHarness, devToken, postJson, validBody, type Harness } from "./support/harness.ts";
import { indexedOutcome } from "./support/outcomes.ts";

// Generous: a loaded 2-core CI machine can take seconds to decode, park and enqueue; this bounds a hang, not speed.
const WAIT = { timeout: 20_000, interval: 50 };

const redisUrl = inject("redisUrl");
let harness: Harness | undefined;
const gates: (() => void)[] = [];
afterEach(async () => {
  for (const open of gates.splice(0)) open(); // a failed test must not leave its worker blocked
  await harness?.close();
  harness = undefined;
});

const post = (h: Harness, body: unknown) => postJson(h.app, "/index_faces", body);

/** A worker that holds every job until open() is called. */
async function startGatedWorker(h: Harness) {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  gates.push(() => open());
  let started = 0;
  await h.startWorker(async (job) => {
    started += 1;
    await gate;
    return indexedOutcome(job);
  });
  return { open: () => open(), started: () => started };
}

describe("in-flight cap", () => {
  it("answers 503 past MAX_IN_FLIGHT without reading the body, and serves new requests once those in flight end", async () => {
    const h = (harness = await createHarness(redisUrl, { maxInFlight: 2 }));
    const worker = await startGatedWorker(h);
    const held = [post(h, validBody({ external_image_id: "f-1" })), post(h, validBody({ external_image_id: "f-2" }))];
    await vi.waitFor(async () => expect(await h.queue.getJobCountByTypes("waiting", "active")).toBe(2), WAIT);

    const refused = await post(h, validBody({ external_image_id: "f-3" }));
    const replay = await post(h, validBody({ external_image_id: "f-1" })); // would attach: capped too
    // Refused before auth and parsing: not even a bad token or a broken body is looked at.
    const unread = await h.app.inject({
      method: "POST",
      url: "/index_faces",
      headers: { "content-type": "application/json" },
      payload: "{",
    });

    expect([refused.statusCode, replay.statusCode, unread.statusCode]).toEqual([503, 503, 503]);
    expect(refused.headers["retry-after"]).toBe("2");
    expect(refused.json()).toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      msg: expect.stringMatching(/too many image requests/),
    });
    expect(await h.queue.getJobCountByTypes("waiting", "active", "completed")).toBe(2);

    worker.open();
    expect((await Promise.all(held)).map((r) => r.statusCode)).toEqual([200, 200]);
    expect(h.inFlight?.count()).toBe(0);
    expect((await post(h, validBody({ external_image_id: "f-3" }))).statusCode).toBe(200);
    // Refusals and 4xx answers give their slot back too.
    for (let i = 0; i < 3; i += 1) expect((await postJson(h.app, "/index_faces", { image: "x" })).statusCode).toBe(400);
    expect(h.inFlight?.count()).toBe(0);
  });

  it("keeps the slot of a request whose client left until its handler stops waiting", async () => {
    const h = (harness = await createHarness(redisUrl, { maxInFlight: 1 }));
    const worker = await startGatedWorker(h);
    await h.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = h.app.server.address() as AddressInfo;

    // A real client that sends its image, then gives up while the job runs.
    const client = httpRequest({
      port,
      method: "POST",
      path: "/index_faces",
      headers: { authorization: `Bearer ${await devToken()}`, "content-type": "application/json" },
    });
    client.on("error", () => {});
    client.end(JSON.stringify(validBody({ external_image_id: "gone-1" })));
    await vi.waitFor(() => expect(worker.started()).toBe(1), WAIT);
    client.destroy();
    const connections = () =>
      new Promise<number>((resolve) => h.app.server.getConnections((_error, count) => resolve(count)));
    await vi.waitFor(async () => expect(await connections()).toBe(0), WAIT);

    // The server saw the client leave, but the handler still holds the body while it waits on the job.
    expect(h.inFlight?.count()).toBe(1);
    expect((await post(h, validBody({ external_image_id: "gone-2" }))).statusCode).toBe(503);

    worker.open();
    await vi.waitFor(() => expect(h.inFlight?.count()).toBe(0), WAIT);
    expect((await post(h, validBody({ external_image_id: "gone-2" }))).statusCode).toBe(200);
  });

  it("gives a caller whose slot share is every slot the bytes to fill them (one calling service)", async () => {
    const body = validBody();
    const bodyBytes = Buffer.byteLength(JSON.stringify(body));
    // Room for four bodies; a quarter share would hold one of them per caller.
    const h = (harness = await createHarness(redisUrl, {
      maxInFlight: 4,
      maxInFlightPerCaller: 4,
      maxInFlightBytes: 4 * bodyBytes + 1_000,
    }));
    const worker = await startGatedWorker(h);
    const held = ["s-1", "s-2", "s-3", "s-4"].map((id) => post(h, validBody({ external_image_id: id })));
    await vi.waitFor(async () => expect(await h.queue.getJobCountByTypes("waiting", "active")).toBe(4), WAIT);
    expect((await post(h, validBody({ external_image_id: "s-5" }))).statusCode).toBe(503);
    worker.open();
    expect((await Promise.all(held)).map((response) => response.statusCode)).toEqual([200, 200, 200, 200]);
  });
});
