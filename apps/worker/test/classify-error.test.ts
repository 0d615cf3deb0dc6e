import {
  ImageTooLargeException,
  InternalServerError,
  InvalidImageFormatException,
  InvalidParameterException,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  ThrottlingException,
  AccessDeniedException,
} from "@aws-sdk/client-rekognition";
import { NoSuchBucket, S3ServiceException } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { classifyError, rawErrorText } from "../src/runtime/classify-error.ts";

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

/** An S3 error as the SDK builds it for codes it has no class for (SlowDown, AccessDenied, ...). */
function s3Error(name: string, httpStatusCode: number, fault: "client" | "server") {
  return new S3ServiceException({ name, $fault: fault, message: `${name} from S3`, ...meta(httpStatusCode) });
}

function networkError(code: string) {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

describe("classifyError", () => {
  it.each([
    ["ThrottlingException", new ThrottlingException({ message: "slow down", ...meta(400) })],
    [
      "ProvisionedThroughputExceededException",
      new ProvisionedThroughputExceededException({ message: "x", ...meta(400) }),
    ],
    ["InternalServerError", new InternalServerError({ message: "boom", ...meta(500) })],
    ["SlowDown", s3Error("SlowDown", 503, "server")],
    ["ServiceUnavailable", s3Error("ServiceUnavailable", 503, "server")],
  ])("retries %s", (code, error) => {
    expect(classifyError(error)).toMatchObject({ kind: "transient", code });
  });

  it("retries any 5xx or server fault, whatever its name", () => {
    expect(classifyError(s3Error("SomethingNew", 502, "server"))).toMatchObject({
      kind: "transient",
      code: "SomethingNew",
    });
    const unnamed = Object.assign(new Error("bad gateway"), { name: "Unknown", ...meta(504) });
    expect(classifyError(unnamed)).toMatchObject({ kind: "transient" });
  });

  it.each(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE"])("retries network error %s", (code) => {
    expect(classifyError(networkError(code))).toMatchObject({ kind: "transient", code });
  });

  it("finds a network code on the error's cause", () => {
    const error = new Error("request failed", { cause: networkError("ECONNRESET") });
    expect(classifyError(error)).toMatchObject({ kind: "transient", code: "ECONNRESET" });
  });

  it("retries the SDK's request timeout", () => {
    const timeout = Object.assign(new Error("Request timed out"), { name: "TimeoutError" });
    expect(classifyError(timeout)).toMatchObject({ kind: "transient", code: "TimeoutError" });
  });

  it.each([
    [
      "InvalidImageFormatException",
      new InvalidImageFormatException({ message: "Request has invalid image format", ...meta(400) }),
      /JPEG or PNG/,
    ],
    ["ImageTooLargeException", new ImageTooLargeException({ message: "too large", ...meta(400) }), /too large/],
    [
      "InvalidParameterException",
      new InvalidParameterException({ message: "MaxFaces bad", ...meta(400) }),
      /parameters/,
    ],
    [
      "ResourceNotFoundException",
      new ResourceNotFoundException({ message: "no collection", ...meta(400) }),
      /collection/,
    ],
    [
      "NoSuchBucket",
      new NoSuchBucket({ message: "The specified bucket does not exist", ...meta(404) }),
      /bucket does not exist/,
    ],
    ["InvalidBucketName", s3Error("InvalidBucketName", 400, "client"), /bucket name/],
  ])("does not retry %s and explains it", (code, error, message) => {
    const classified = classifyError(error);
    expect(classified).toMatchObject({ kind: "permanent", code });
    expect(classified.message).toMatch(message);
  });

  it("hides AWS's message on access denied (it may name accounts and roles)", () => {
    const s3Denied = s3Error("AccessDenied", 403, "client");
    s3Denied.message = "User arn:aws:iam::123456789012:user/x is not authorized";
    const rekDenied = new AccessDeniedException({ message: "arn:aws:iam::123456789012:role/y", ...meta(400) });
    for (const error of [s3Denied, rekDenied]) {
      const classified = classifyError(error);
      expect(classified.kind).toBe("permanent");
      expect(classified.message).toMatch(/Access denied/);
      expect(classified.message).not.toContain("123456789012");
    }
  });

  it("does not retry an unknown 4xx from AWS", () => {
    expect(classifyError(s3Error("EntityTooLarge", 400, "client"))).toMatchObject({
      kind: "permanent",
      code: "EntityTooLarge",
    });
  });

  it("never passes on the SDK's or the service's own text", () => {
    // What the SDK throws when it cannot parse an answer (e.g. a server dying mid-response).
    const unreadable = Object.assign(
      new Error(
        "char 'H' is not expected.:1:1\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.",
      ),
      meta(200),
    );
    const refused = Object.assign(new Error("connect ECONNREFUSED 10.1.2.3:4599"), { code: "ECONNREFUSED" });
    const internal = s3Error("InternalError", 500, "server");
    internal.message = "EACCES: permission denied, open '/srv/data/bucket/key'";
    const unknown4xx = s3Error("EntityTooLarge", 400, "client");
    unknown4xx.message = "at /srv/data/x: too large";
    for (const error of [unreadable, refused, internal, unknown4xx]) {
      const { message } = classifyError(error);
      for (const leak of ["$response", "hidden field", "10.1.2.3", "/srv/data", "EACCES", "Deserialization"]) {
        expect(message).not.toContain(leak);
      }
    }
    expect(classifyError(unreadable)).toMatchObject({ kind: "transient", code: "UnreadableResponse" });
    expect(classifyError(refused)).toMatchObject({ kind: "transient", code: "ECONNREFUSED" });
    expect(classifyError(internal)).toMatchObject({ kind: "transient", code: "InternalError" });
  });

  it("the local S3's InvalidArgument (a key it cannot hold) is permanent and names image_key", () => {
    const classified = classifyError(s3Error("InvalidArgument", 400, "client"));
    expect(classified).toMatchObject({ kind: "permanent", code: "InvalidArgument" });
    expect(classified.message).toContain("image_key");
  });

  it("keeps the raw text for the log, with ARNs, account ids and URL signatures masked", () => {
    const error = new Error(
      "User arn:aws:iam::123456789012:user/x denied at https://b.s3/k?X-Amz-Signature=abc123&X-Amz-Credential=AKIA/x",
    );
    const text = rawErrorText(error);
    expect(text).toContain("denied");
    for (const secret of ["arn:aws", "123456789012", "abc123", "AKIA"]) expect(text).not.toContain(secret);
  });

  it("retries errors that are not from AWS (e.g. a dropped Redis connection)", () => {
    expect(classifyError(new Error("Connection is closed."))).toMatchObject({ kind: "transient", code: "Error" });
  });
});
