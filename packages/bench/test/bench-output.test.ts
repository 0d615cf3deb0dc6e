import { PassThrough } from "node:stream";
import { format } from "prettier";
import { describe, expect, it } from "vitest";
import { parseBenchOptions, runsSection } from "../src/bench-options.ts";
import { bodyFactory } from "../src/load/request-body.ts";
import { markdownTable } from "../src/markdown-table.ts";
import { countCalls } from "../src/quota/rekognition-calls.ts";

describe("the printed tables", () => {
  it("go into the README as printed: prettier leaves them unchanged", async () => {
    const table = markdownTable(
      ["image (body)", "clients", "ratio"],
      [
        ["98 KB (131 KB)", "1", "0.50"],
        ["989 KB (1.3 MB)", "64", "0.43"],
      ],
    );
    expect(await format(table + "\n", { parser: "markdown", printWidth: 120 })).toBe(table + "\n");
  });
});

describe("request bodies", () => {
  it("are valid JSON, each with its own external id and image key, and carry the image unchanged", () => {
    const image = Buffer.from([0xff, 0xd8, 0xff, 1, 2, 3]);
    const next = bodyFactory(image, "bench-bucket", "t");
    const bodies = [next(), next(), next()].map((body) => JSON.parse(body.toString()) as Record<string, string>);
    expect(new Set(bodies.map((body) => body.external_image_id)).size).toBe(3);
    expect(new Set(bodies.map((body) => body.image_key)).size).toBe(3);
    for (const body of bodies) expect(Buffer.from(body.image!, "base64")).toEqual(image);
  });
});

describe("flags", () => {
  it("pick one row of one section", () => {
    const options = parseBenchOptions(["--only", "pipeline", "--size", "1mb", "--clients", "16"], {});
    expect(options).toMatchObject({ sizes: ["1mb"], clients: [16] });
    expect(runsSection(options, "pipeline")).toBe(true);
    expect(runsSection(options, "quota")).toBe(false);
  });

  it("run everything by default, and refuse what they do not know", () => {
    const options = parseBenchOptions(["--then", "@faceindex/face-engine"], {});
    expect(options.clients).toEqual([1, 16, 64]);
    expect(runsSection(options, "face-engine")).toBe(true);
    expect(() => parseBenchOptions(["--size", "5mb"], {})).toThrow(/--size 5mb/);
    expect(() => parseBenchOptions(["--clients", "0"], {})).toThrow(/--clients 0/);
    expect(() => parseBenchOptions(["--only", "pipelines"], {})).toThrow(/--only pipelines: one of pipeline, quota/);
  });
});

describe("counting the local Rekognition server's calls from its log", () => {
  it("counts IndexFaces calls and the throttled ones, ignoring other lines", async () => {
    const log = new PassThrough();
    const counter = countCalls(log);
    const line = (fields: object) => log.write(JSON.stringify({ level: 30, msg: "request", ...fields }) + "\n");
    line({ operation: "IndexFaces", statusCode: 200, ms: 51 });
    line({ operation: "IndexFaces", statusCode: 400, code: "ProvisionedThroughputExceededException", ms: 0 });
    line({ operation: "CreateCollection", statusCode: 200, ms: 3 });
    log.write("not json\n");
    log.write(JSON.stringify({ level: 40, msg: "FACE_ENGINE=load-test" }) + "\n");
    await new Promise((resolve) => setImmediate(resolve));
    expect(counter.counts("IndexFaces")).toEqual({ calls: 2, throttled: 1 });
    expect(counter.counts("CreateCollection")).toEqual({ calls: 1, throttled: 0 });
  });
});
