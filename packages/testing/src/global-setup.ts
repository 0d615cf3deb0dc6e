/** Vitest global setup: one Redis for the whole run, handed to test files as inject("redisUrl"). */
import type { TestProject } from "vitest/node";
import { findTestRedis, type TestRedis } from "./redis-url.ts";

let redis: TestRedis | undefined;

export async function setup(project: TestProject): Promise<void> {
  redis = await findTestRedis(process.env);
  project.provide("redisUrl", redis.url);
}

export async function teardown(): Promise<void> {
  await redis?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
