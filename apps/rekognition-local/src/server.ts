/**
 * startRekognitionServer: opens the collection store, builds the app (app.ts) and listens. Collections are
 * persisted in `dataDir` and S3Object images read through `s3`. Used by main.ts, the bench script and, through
 * the package entry (index.ts), by other packages' tests.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { FaceEngine, FaceModel } from "@faceindex/face-engine";
import type { Logger } from "pino";
import { buildApp } from "./app.ts";
import { openCollectionStore } from "./store/collection-store.ts";
import { createFaultRegistry } from "./local/faults.ts";
import { createRateLimiter } from "./local/rate-limit.ts";
import { loadServiceModel } from "./protocol/service-model.ts";
import { createIdempotencyTokens } from "./operations/idempotency.ts";

export interface RekognitionServerOptions {
  engine: FaceEngine;
  dataDir: string;
  s3: S3Client;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Only used in CollectionArn values. */
  region?: string;
  /** The face model of collections created from now on (default LATEST_FACE_MODEL); existing ones keep theirs. */
  faceModel?: FaceModel;
  /** Calls per second per operation before ProvisionedThroughputExceededException; unlimited when absent. */
  tpsLimit?: number;
  /** Opens POST /_local/faults (tests, `pnpm chaos`); off by default: a side door with no auth. */
  faults?: boolean;
  logger?: Logger;
}

export interface RekognitionServer {
  url: string;
  close(): Promise<void>;
}

export async function startRekognitionServer(options: RekognitionServerOptions): Promise<RekognitionServer> {
  const store = await openCollectionStore({
    dataDir: options.dataDir,
    region: options.region ?? "us-east-1",
    ...(options.faceModel && { faceModel: options.faceModel }),
    log: (message) => options.logger?.info(message),
  });
  const app = buildApp({
    model: loadServiceModel(),
    context: { store, engine: options.engine, s3: options.s3, tokens: createIdempotencyTokens() },
    faults: createFaultRegistry(),
    faultsEnabled: options.faults ?? false,
    ...(options.tpsLimit ? { rateLimiter: createRateLimiter(options.tpsLimit) } : {}),
    health: () => ({ engine: options.engine.mode, collections: store.ids().length }),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const host = options.host ?? "127.0.0.1";
  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    await store.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
