/**
 * The image without a Docker engine: the Dockerfile's build context (.dockerignore applied), its own
 * `pnpm install` step replayed in a temp folder, and api, worker and rekognition-local started from that
 * install with the image's ENTRYPOINT on Node 24, as a user that cannot write to it, against a real Redis and
 * the local S3. One real face photo goes through all three. What this cannot show: the base image's own
 * contents, the build cache mounts, and `pnpm fetch` (the machine's pnpm store stands in for it).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListFacesCommand, RekognitionClient } from "@aws-sdk/client-rekognition";
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from "@faceindex/local-s3";
import { facePhoto, freePort, uniqueName } from "@faceindex/testing";
import { Redis } from "ioredis";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { copyBuildContext } from "./build-context.ts";
import { finalStage, readDockerfile } from "./dockerfile.ts";
import { startImageProcess, UNPRIVILEGED_ID, waitUntilReady, type ImageProcess } from "./image-process.ts";

const stages = readDockerfile();
const image = finalStage(stages);
const installStep = stages[0]!.runs.find((run) => run.startsWith("pnpm install"));

const root = mkdtempSync(join(tmpdir(), "faceindex-image-"));
const app = join(root, "app");
const dataDir = join(root, "data");
let copied: string[] = [];
let s3: LocalS3;
const apps: Record<string, ImageProcess> = {};
const name = uniqueName("image");
const prefix = `{${name}}`;
const bucket = name;
const collectionId = `${name}-collection`;
const jwtSecret = `${name}-secret-of-at-least-32-characters`;
const ports = { api: 0, rekognition: 0 };

beforeAll(async () => {
  if (!installStep) throw new Error("no `pnpm install` RUN in the Dockerfile's build stage");
  copied = copyBuildContext(app);
  // The install step exactly as the Dockerfile writes it (--offline: the local store stands in for `pnpm fetch`).
  execFileSync("sh", ["-c", installStep], { cwd: app, stdio: "pipe", timeout: 300_000 });
  // mkdtemp makes 0700 folders; the image's /app is readable by everyone and writable by root only.
  chmodSync(root, 0o755);
  chmodSync(app, 0o755);
  mkdirSync(dataDir, { mode: 0o755 });
  mkdirSync(join(dataDir, "rekognition"), { mode: 0o700 });
  if (process.getuid?.() === 0) chownSync(join(dataDir, "rekognition"), UNPRIVILEGED_ID, UNPRIVILEGED_ID);

  s3 = await startLocalS3({ directory: join(root, "s3"), buckets: [bucket] });
  ports.api = await freePort();
  ports.rekognition = await freePort();
  const shared = {
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    AWS_REGION: "us-east-1",
    S3_ENDPOINT: s3.endpoint,
    REDIS_URL: inject("redisUrl"),
    QUEUE_PREFIX: prefix,
    COLLECTION_ID: collectionId,
    LOG_LEVEL: "warn",
  };
  const start = (entry: string, env: NodeJS.ProcessEnv) =>
    startImageProcess({ entrypoint: image.entrypoint ?? [], command: [entry], cwd: app, env: { ...shared, ...env } });

  apps.rekognition = start("apps/rekognition-local/src/main.ts", {
    REKOGNITION_HOST: "127.0.0.1",
    REKOGNITION_PORT: String(ports.rekognition),
    REKOGNITION_DATA_DIR: join(dataDir, "rekognition"),
    FACE_ENGINE: "neural",
    FACE_ENGINE_THREADS: "1",
  });
  // Loading the face models takes seconds to tens of seconds on a busy 2-core machine.
  await waitUntilReady(apps.rekognition, `http://127.0.0.1:${ports.rekognition}/_local/health`, 180_000);
  apps.worker = start("apps/worker/src/main.ts", { REKOGNITION_ENDPOINT: `http://127.0.0.1:${ports.rekognition}` });
  apps.api = start("apps/api/src/main.ts", {
    HOST: "127.0.0.1",
    PORT: String(ports.api),
    // Several test files run at once; a fixed metrics port would clash.
    METRICS_PORT: "0",
    JWT_SECRET: jwtSecret,
    // Single-tenant: the API writes only to the buckets it is told (required without TENANTS).
    ALLOWED_BUCKETS: bucket,
  });
  await waitUntilReady(apps.api, `http://127.0.0.1:${ports.api}/readyz`, 60_000);
}, 600_000);

afterAll(async () => {
  for (const child of Object.values(apps)) await child.stop();
  await s3?.close();
  const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: 1 });
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
    if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
  }
  redis.disconnect();
  rmSync(root, { recursive: true, force: true });
});

describe("the production image's install", () => {
  it("holds no tests, fixtures, dev-only packages or secrets", () => {
    expect(copied.filter((path) => /(^|\/)(test|fixtures|scripts)(\/|$)/.test(path))).toEqual([]);
    for (const path of ["packages/testing", "packages/local-s3", "packages/local-stack", "deploy", ".env", ".git"]) {
      expect(existsSync(join(app, path)), path).toBe(false);
    }
  });

  it("installs production dependencies only", () => {
    const installed = readdirSync(join(app, "node_modules/.pnpm"));
    for (const devOnly of ["vitest@", "typescript@", "eslint@", "prettier@", "testcontainers@", "s3rver@"]) {
      expect(installed.filter((entry) => entry.startsWith(devOnly))).toEqual([]);
    }
    // What the apps need at run time is there.
    for (const needed of ["fastify@", "bullmq@", "@aws-sdk+client-rekognition@", "@vladmandic+face-api@", "sharp@"]) {
      expect(
        installed.some((entry) => entry.startsWith(needed)),
        needed,
      ).toBe(true);
    }
  });

  it("indexes a real face through api, worker and rekognition-local started from it", async () => {
    const token = await new SignJWT({ scope: "faces:index" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("image-test")
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode(jwtSecret));
    const response = await fetch(`http://127.0.0.1:${ports.api}/index_faces`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        image: facePhoto("same/obama_1.jpg").toString("base64"),
        bucket,
        image_key: "selfies/image-test.jpg",
        external_image_id: "image-test",
      }),
    });
    const body = (await response.json()) as { data?: { face_id?: string } };
    expect(response.status, `${JSON.stringify(body)}\n${apps.worker!.output()}`).toBe(200);

    const rekognition = new RekognitionClient({
      endpoint: `http://127.0.0.1:${ports.rekognition}`,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    const faces = await rekognition.send(new ListFacesCommand({ CollectionId: collectionId }));
    expect(faces.Faces?.map((face) => [face.FaceId, face.ExternalImageId])).toEqual([
      [body.data?.face_id, "image-test"],
    ]);
    rekognition.destroy();
  });

  it("stops every app cleanly on SIGTERM", async () => {
    for (const [appName, child] of Object.entries(apps)) {
      const code = await child.stop();
      expect(code, `${appName}:\n${child.output()}`).toBe(0);
    }
  });
});
