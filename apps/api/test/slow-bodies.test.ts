/**
 * Issue 10 finding 1: slow bodies from one caller must not lock everyone out. Many connections from one
 * caller declare a large body and trickle it; another caller's requests are still answered 200, the slow
 * connections are closed at the body deadline and their slots come back. All traffic on 127.0.0.1, bounded.
 */
import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { createHarness, devToken, validBody, type Harness } from "./support/harness.ts";
import { indexedOutcome } from "./support/outcomes.ts";

const redisUrl = inject("redisUrl");
let harness: Harness | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await harness?.close();
  harness = undefined;
});

interface SlowClient {
  /** What the server sent before closing (a status line, or nothing). */
  closed: Promise<string>;
}

/** Headers with a valid token and Content-Length 1 MB, then one byte of body; the rest never comes. */
async function slowBody(port: number, subject: string, declared = 1_000_000): Promise<SlowClient> {
  const socket = connect(port, "127.0.0.1");
  sockets.push(socket);
  let received = "";
  socket.on("data", (chunk) => (received += chunk.toString()));
  socket.on("error", () => {});
  const closed = new Promise<string>((resolve) => socket.once("close", () => resolve(received.split("\r\n")[0] ?? "")));
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(
    `POST /index_faces HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${await devToken(subject)}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n{`,
  );
  return { closed };
}

async function indexAs(port: number, subject: string, externalImageId: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/index_faces`, {
    method: "POST",
    headers: { authorization: `Bearer ${await devToken(subject)}`, "content-type": "application/json" },
    body: JSON.stringify(validBody({ external_image_id: externalImageId })),
  });
  await response.arrayBuffer();
  return response.status;
}

describe("slow bodies and fair slots", () => {
  it("answers another caller 200 while one caller holds slow bodies, and closes those at the deadline", async () => {
    const h = (harness = await createHarness(redisUrl, {
      maxInFlight: 8,
      maxInFlightPerCaller: 3,
      bodyTimeoutMs: 1_500,
    }));
    await h.startWorker(async (job) => indexedOutcome(job));
    await h.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = h.app.server.address() as AddressInfo;

    // Twice the process's slots, all from one caller.
    const slow = await Promise.all(Array.from({ length: 16 }, () => slowBody(port, "mallory")));
    await vi.waitFor(() => expect(h.inFlight.count()).toBe(3));

    const others = await Promise.all(["o-1", "o-2", "o-3"].map((id) => indexAs(port, "alice", id)));
    expect(others).toEqual([200, 200, 200]);

    // Every slow connection ends: 503 for those past the caller's share, 408 at the deadline for the others.
    const statuses = (await Promise.all(slow.map((client) => client.closed))).map((line) => line.split(" ")[1]);
    expect(statuses.filter((status) => status === "408")).toHaveLength(3);
    expect(statuses.filter((status) => status === "503")).toHaveLength(13);
    await vi.waitFor(() => expect(h.inFlight.count()).toBe(0));
    expect(h.inFlight.bytes()).toBe(0);
    // The slow caller is served again once its bodies arrive in time.
    expect(await indexAs(port, "mallory", "m-1")).toBe(200);
  });

  it("counts declared body bytes: past MAX_IN_FLIGHT_BYTES a new body is refused 503 before it is read", async () => {
    const body = JSON.stringify(validBody());
    const h = (harness = await createHarness(redisUrl, {
      maxInFlight: 100,
      maxInFlightBytes: 2_000_000 + body.length,
      bodyTimeoutMs: 1_500,
    }));
    await h.startWorker(async (job) => indexedOutcome(job));
    await h.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = h.app.server.address() as AddressInfo;

    // Two callers each hold a 1 MB body (a caller may hold a quarter of the bytes, but one request always passes).
    const held = [await slowBody(port, "bob"), await slowBody(port, "carol")];
    await vi.waitFor(() => expect(h.inFlight.bytes()).toBe(2_000_000));
    // A small image still fits; another 1 MB body does not.
    expect(await indexAs(port, "alice", "b-1")).toBe(200);
    const refused = await slowBody(port, "dave");
    expect(await refused.closed).toMatch(/ 503 /);

    expect((await Promise.all(held.map((client) => client.closed))).map((line) => line.split(" ")[1])).toEqual([
      "408",
      "408",
    ]);
    await vi.waitFor(() => expect(h.inFlight.bytes()).toBe(0));
  });
});
