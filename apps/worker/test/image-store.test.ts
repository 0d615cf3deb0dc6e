/**
 * Fast unit test of the conditional PUT with a plain-object fake of the S3 client: s3rver ignores
 * If-None-Match on PUT, so the 412 (AWS) and 501 (servers without conditional writes) answers are played
 * here; the unconditional path runs for real in tenants-erasure.test.ts.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { createImageStore } from "../src/adapters/s3/image-store.ts";

function s3Answering(...answers: (number | "ok")[]) {
  const sent: Record<string, unknown>[] = [];
  const client: Pick<S3Client, "send"> = {
    send: (async (command: { input: Record<string, unknown> }) => {
      sent.push(command.input);
      const answer = answers.shift();
      if (answer === "ok") return { ETag: '"abc"' };
      throw Object.assign(new Error(`status ${answer}`), { $metadata: { httpStatusCode: answer } });
    }) as Pick<S3Client, "send">["send"],
  };
  return { store: createImageStore(client), sent };
}

const put = (store: ReturnType<typeof createImageStore>) =>
  store.putImage("b", "k", Buffer.from("x"), "image/jpeg", { "external-image-id": "p" }, { onlyIfAbsent: true });

describe("putImage onlyIfAbsent", () => {
  it("sends If-None-Match: * and answers the etag", async () => {
    const { store, sent } = s3Answering("ok");
    expect(await put(store)).toEqual({ etag: "abc" });
    expect(sent[0]).toMatchObject({ IfNoneMatch: "*", Metadata: { "external-image-id": "p" } });
  });

  it("answers null when an object appeared at the key (412): nothing written", async () => {
    const { store, sent } = s3Answering(412);
    expect(await put(store)).toBeNull();
    expect(sent).toHaveLength(1);
  });

  it("writes without the condition on a server that does not implement it (501)", async () => {
    const { store, sent } = s3Answering(501, "ok");
    expect(await put(store)).toEqual({ etag: "abc" });
    expect(sent[1]).not.toHaveProperty("IfNoneMatch");
  });

  it("lets other errors through to the retry policy", async () => {
    const { store } = s3Answering(503);
    await expect(put(store)).rejects.toThrow("status 503");
  });
});
