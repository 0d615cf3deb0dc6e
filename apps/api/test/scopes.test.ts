/** Scopes, over the real app and Redis: each route needs its own, and a token without it is refused before any work. */
import { afterEach, describe, expect, inject, it } from "vitest";
import { SCOPES, type Scope } from "@faceindex/contracts";
import { scopesOf } from "../src/auth/scopes.ts";
import { singleTenantAccess } from "./support/access.ts";
import { createHarness, devToken, validBody, type Harness } from "./support/harness.ts";

const redisUrl = inject("redisUrl");
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const ROUTES: { scope: Scope; method: "GET" | "POST"; url: string; body?: unknown }[] = [
  { scope: "faces:index", method: "POST", url: "/index_faces", body: validBody() },
  { scope: "faces:search", method: "POST", url: "/search_faces", body: { image: validBody().image } },
  {
    scope: "faces:delete",
    method: "POST",
    url: "/delete_faces_from_collection",
    body: { bucket: "kyc-faces", external_image_id: "customer-42" },
  },
  { scope: "jobs:read", method: "GET", url: "/jobs/some-request" },
  { scope: "audit:read", method: "GET", url: "/audit?external_image_id=customer-42" },
];

function send(h: Harness, route: (typeof ROUTES)[number], token: string) {
  return h.app.inject({
    method: route.method,
    url: route.url,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(route.body === undefined ? {} : { payload: JSON.stringify(route.body) }),
  });
}

describe("scopes", () => {
  it("answers 403 INSUFFICIENT_SCOPE naming the scope on every route, with nothing queued", async () => {
    const h = (harness = await createHarness(redisUrl));
    for (const route of ROUTES) {
      // Every scope but the route's own.
      const token = await devToken("kyc-user-1", { scopes: SCOPES.filter((scope) => scope !== route.scope) });
      const response = await send(h, route, token);
      expect({ url: route.url, status: response.statusCode, body: response.json() }).toEqual({
        url: route.url,
        status: 403,
        body: {
          code: "INSUFFICIENT_SCOPE",
          msg: `the token lacks the ${route.scope} scope`,
          required_scope: route.scope,
        },
      });
    }
    for (const queue of Object.values(h.lanes).map((lane) => lane.queue)) {
      expect(await (queue as unknown as Harness["queue"]).count()).toBe(0);
    }
  });

  it("lets each route through with only its own scope", async () => {
    const h = (harness = await createHarness(redisUrl, { syncTimeoutMs: 200 }));
    for (const route of ROUTES) {
      const response = await send(h, route, await devToken("kyc-user-1", { scopes: [route.scope] }));
      // Past auth: 504 (no worker runs), 404 (unknown job) or 200 (an empty trail).
      expect({ url: route.url, status: response.statusCode }).toEqual({
        url: route.url,
        status: { "faces:index": 504, "faces:search": 504, "faces:delete": 504, "jobs:read": 404, "audit:read": 200 }[
          route.scope
        ],
      });
    }
  });

  it("gives a token with no scope claim nothing, unless JWT_DEFAULT_SCOPES grants some", async () => {
    const strict = (harness = await createHarness(redisUrl));
    const bare = await devToken("dashboard", { scopes: [] });
    const jobsRoute = ROUTES.find((route) => route.scope === "jobs:read")!;
    const indexRoute = ROUTES.find((route) => route.scope === "faces:index")!;
    expect((await send(strict, jobsRoute, bare)).statusCode).toBe(403);
    await strict.close();
    harness = undefined;

    const lenient = (harness = await createHarness(redisUrl, {
      access: singleTenantAccess("test-collection", undefined, ["jobs:read"]),
    }));
    expect((await send(lenient, jobsRoute, bare)).statusCode).toBe(404);
    const index = await send(lenient, indexRoute, bare);
    expect(index.statusCode).toBe(403);
    expect(index.json()).toMatchObject({ code: "INSUFFICIENT_SCOPE", required_scope: "faces:index" });
    // A token that carries a scope claim gets exactly it, never the defaults on top.
    const searchOnly = await devToken("dashboard", { scopes: ["faces:search"] });
    expect((await send(lenient, jobsRoute, searchOnly)).statusCode).toBe(403);
  });
});

describe("scopesOf", () => {
  it("reads scope (space-separated) and scp (array or string), ignoring other services' scopes", () => {
    expect([...scopesOf({ scope: "faces:search  jobs:read other:thing" }, [])]).toEqual(["faces:search", "jobs:read"]);
    expect([...scopesOf({ scp: ["faces:delete", 7, "audit:read"] }, [])]).toEqual(["faces:delete", "audit:read"]);
    expect([...scopesOf({ scp: "faces:index" }, [])]).toEqual(["faces:index"]);
    expect([...scopesOf({}, ["jobs:read"])]).toEqual(["jobs:read"]);
    expect([...scopesOf({ scope: "" }, ["jobs:read"])]).toEqual([]);
  });
});
