/**
 * Which Redis the tests talk to: REDIS_URL when set; otherwise a private redis-server from PATH (its own
 * port and temporary folder, stopped after the run); otherwise a throwaway Redis in Docker through
 * testcontainers; otherwise a clear error saying how to provide one.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { startPrivateRedis } from "./private-redis.ts";

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

export async function findTestRedis(env: NodeJS.ProcessEnv): Promise<TestRedis> {
  if (env.REDIS_URL) return { url: env.REDIS_URL, stop: async () => {} };
  if (!spawnSync("redis-server", ["--version"], { stdio: "ignore" }).error) {
    const redis = await startPrivateRedis();
    return { url: redis.url, stop: () => redis.stop() };
  }
  if (!dockerIsAvailable()) {
    throw new Error(
      "The tests need Redis and found none: set REDIS_URL (e.g. REDIS_URL=redis://127.0.0.1:6379 pnpm test), " +
        "install redis-server (`apt-get install redis-server`), or start Docker so that testcontainers can run one (`docker compose up -d redis` works too).",
    );
  }
  const { GenericContainer, Wait } = await import("testcontainers");
  const container = await new GenericContainer("redis:7-alpine")
    .withCommand(["redis-server", "--maxmemory-policy", "noeviction"])
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage("Ready to accept connections"))
    .start();
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    stop: async () => {
      await container.stop();
    },
  };
}

function dockerIsAvailable(): boolean {
  try {
    execFileSync("docker", ["info"], { stdio: "ignore", timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}
