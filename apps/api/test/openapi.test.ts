/**
 * GET /openapi.json as a client generator reads it: a valid OpenAPI 3.1 document (checked by a kept
 * validator) with every route, each protected one under the bearer scheme with its scope, the README's
 * request examples, and each status a route answers with.
 */
import { describe, expect, it } from "vitest";
import { Validator } from "@seriousme/openapi-schema-validator";
import { OPERATIONS } from "../src/docs/operations.ts";
import { buildStubApp } from "./support/stub-app.ts";

interface Operation {
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, unknown>;
}

async function fetchDocument() {
  const { app } = buildStubApp();
  const response = await app.inject({ method: "GET", url: "/openapi.json" });
  await app.close();
  expect(response.statusCode).toBe(200);
  return response.json<{
    openapi: string;
    paths: Record<string, Record<string, Operation>>;
    components: { securitySchemes: Record<string, { type: string; scheme: string; description: string }> };
  }>();
}

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const document = await fetchDocument();
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("lists every route, each with its scope, examples and statuses, and nothing internal", async () => {
    const document = await fetchDocument();
    const listed = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // Every route the app serves is described in operations.ts, and the other way round.
    expect(listed.sort()).toEqual(Object.keys(OPERATIONS).sort());
    expect(listed).not.toContain("GET /openapi.json");
    expect(listed.some((operation) => operation.includes("/docs"))).toBe(false);

    const scheme = document.components.securitySchemes["bearer"];
    expect(scheme).toMatchObject({ type: "http", scheme: "bearer" });
    for (const scope of ["faces:index", "faces:search", "faces:delete", "jobs:read", "audit:read"]) {
      expect(scheme?.description).toContain(scope);
    }

    const operation = (key: string): Operation => {
      const [method = "", path = ""] = key.split(" ");
      const found = document.paths[path]?.[method.toLowerCase()];
      if (!found) throw new Error(`${key} is not in the document`);
      return found;
    };
    const index = operation("POST /index_faces");
    expect(index.security).toEqual([{ bearer: ["faces:index"] }]);
    expect(Object.keys(index.responses).sort()).toEqual(
      ["200", "400", "401", "403", "409", "413", "415", "500", "503", "504"].sort(),
    );
    expect(index.requestBody?.content["application/json"]?.example).toMatchObject({ external_image_id: "user-42" });
    expect(operation("POST /search_faces").security).toEqual([{ bearer: ["faces:search"] }]);
    expect(operation("POST /delete_faces_from_collection").security).toEqual([{ bearer: ["faces:delete"] }]);
    const jobs = operation("GET /jobs/{request_id}");
    expect(jobs.security).toEqual([{ bearer: ["jobs:read"] }]);
    expect(Object.keys(jobs.responses)).toEqual(expect.arrayContaining(["200", "202", "401", "403", "404", "503"]));
    // The probes need no token.
    expect(operation("GET /readyz").security).toEqual([]);
    expect(Object.keys(operation("GET /readyz").responses).sort()).toEqual(["200", "503"]);
  });
});
