/**
 * docker-compose.yml without a Docker engine: parsed and interpolated as compose would, then checked for what
 * a user relies on (only the API reachable from outside, secrets required, healthchecks that work, every
 * app given variables its config schema reads). The healthchecks and Redis's command line are run for real
 * here against local servers and the local redis-server binary.
 */
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "@faceindex/testing";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { appEnvKeys, AWS_SDK_ENV, type AppName } from "./app-env-keys.ts";
import { readCompose, readComposeRaw, type ComposeService } from "./compose-file.ts";
import { repoPath } from "./repo-root.ts";

const run = promisify(execFile);

/** What a user puts in .env: the three secrets compose requires, nothing else. */
const dotEnv = {
  JWT_SECRET: "a-jwt-secret-of-at-least-32-characters!",
  REDIS_PASSWORD: "0123456789abcdef0123456789abcdef",
  S3_SECRET_KEY: "s3-secret",
};
const compose = readCompose(dotEnv);
const { services } = compose;
const APPS: Record<string, AppName> = { api: "api", worker: "worker", rekognition: "rekognition-local" };

function env(service: string): Record<string, string> {
  return services[service]?.environment ?? {};
}

/** Short port syntax: [host_ip:]host_port:container_port. */
function parsePort(mapping: string): { hostIp: string | undefined; hostPort: string; containerPort: string } {
  const parts = mapping.split(":");
  const containerPort = parts.pop()!;
  const hostPort = parts.pop()!;
  return { hostIp: parts.pop(), hostPort, containerPort };
}

describe("docker-compose.yml: services and images", () => {
  it("runs Redis, S3, the bucket setup, the Rekognition server, the API and workers", () => {
    expect(Object.keys(services).sort()).toEqual(["api", "redis", "rekognition", "s3", "s3-buckets", "worker"]);
    expect(services.worker?.deploy?.replicas).toBeGreaterThanOrEqual(2);
  });

  it("builds one image from the Dockerfile for the three apps, each started on an entry point that exists", () => {
    for (const name of Object.keys(APPS)) {
      const service = services[name]!;
      expect(service.build, name).toBe(".");
      expect(service.image, name).toBe("faceindex:local");
      expect(service.command, name).toHaveLength(1);
      expect(existsSync(repoPath(service.command![0]!)), service.command![0]).toBe(true);
    }
    expect(services.api?.command).toEqual(["apps/api/src/main.ts"]);
    expect(services.worker?.command).toEqual(["apps/worker/src/main.ts"]);
    expect(services.rekognition?.command).toEqual(["apps/rekognition-local/src/main.ts"]);
  });

  it("pins every third-party image to a version", () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      expect(service.image, name).toMatch(/^[\w./-]+:(?!latest$)[\w.-]+$/);
    }
  });

  it("refuses to start without each secret, rather than falling back to a default", () => {
    for (const key of Object.keys(dotEnv)) {
      const { [key as keyof typeof dotEnv]: _, ...rest } = dotEnv;
      expect(() => readCompose(rest), key).toThrow(new RegExp(`required variable ${key}`));
      expect(() => readCompose({ ...rest, [key]: "" }), key).toThrow(new RegExp(`required variable ${key}`));
    }
  });
});

describe("docker-compose.yml: what is reachable", () => {
  it("publishes only the API on every interface, and its metrics on the host's loopback", () => {
    const published = Object.entries(services).flatMap(([name, service]) =>
      (service.ports ?? []).map((mapping) => ({ name, ...parsePort(mapping) })),
    );
    expect(published).toEqual([
      { name: "api", hostIp: undefined, hostPort: "3000", containerPort: env("api").PORT },
      { name: "api", hostIp: "127.0.0.1", hostPort: "9464", containerPort: env("api").METRICS_PORT },
    ]);
    for (const [name, service] of Object.entries(services)) expect(service.network_mode, name).toBeUndefined();
  });

  it("keeps Redis, S3 and the Rekognition server on an internal network only", () => {
    expect(compose.networks?.backend?.internal).toBe(true);
    for (const name of ["redis", "s3", "s3-buckets", "rekognition", "worker"]) {
      expect(services[name]?.networks, name).toEqual(["backend"]);
    }
    expect(services.api?.networks).toEqual(["backend", "edge"]);
  });

  it("protects Redis with the password from .env, which the api's and worker's REDIS_URL carry", () => {
    const url = new URL(env("api").REDIS_URL!);
    expect(decodeURIComponent(url.password)).toBe(dotEnv.REDIS_PASSWORD);
    expect(url.host).toBe("redis:6379");
    expect(env("worker").REDIS_URL).toBe(env("api").REDIS_URL);
    const command = services.redis!.command!;
    expect(command[command.indexOf("--requirepass") + 1]).toBe(dotEnv.REDIS_PASSWORD);
  });

  it("runs the apps read-only, without capabilities or privilege escalation", () => {
    for (const name of Object.keys(APPS)) {
      const service = services[name]!;
      expect(service.read_only, name).toBe(true);
      expect(service.cap_drop, name).toEqual(["ALL"]);
      expect(service.security_opt, name).toContain("no-new-privileges:true");
      expect(service.privileged, name).toBeUndefined();
      // The image's numeric non-root user (dockerfile.test.ts), not overridden here.
      expect(service.user, name).toBeUndefined();
    }
  });
});

describe("docker-compose.yml: each app's environment", () => {
  it.each(Object.entries(APPS))("%s gets only variables its config schema reads", (service, app) => {
    const schemaKeys = appEnvKeys(app);
    // The parser must see the schema at all, else every check below would pass on an empty set.
    expect(schemaKeys.has("LOG_LEVEL")).toBe(true);
    const allowed = new Set([...schemaKeys, ...(service === "api" ? [] : AWS_SDK_ENV)]);
    expect(Object.keys(env(service)).filter((key) => !allowed.has(key))).toEqual([]);
  });

  it("gives api and worker the same Redis, key prefix and collection", () => {
    for (const key of ["REDIS_URL", "QUEUE_PREFIX", "COLLECTION_ID"]) {
      expect(env("worker")[key], key).toBe(env("api")[key]);
    }
    expect(env("api").JWT_SECRET).toBe(dotEnv.JWT_SECRET);
  });

  it("binds every listener to the container's interfaces, so the network and port mappings reach it", () => {
    expect(env("api").HOST).toBe("0.0.0.0");
    expect(env("api").METRICS_HOST).toBe("0.0.0.0");
    expect(env("rekognition").REKOGNITION_HOST).toBe("0.0.0.0");
  });

  it("points the worker and the Rekognition server at the services that listen there", () => {
    expect(env("worker").REKOGNITION_ENDPOINT).toBe(`http://rekognition:${env("rekognition").REKOGNITION_PORT}`);
    const s3Port = env("s3").VGW_PORT!.replace(/^:/, "");
    for (const name of ["worker", "rekognition"]) expect(env(name).S3_ENDPOINT, name).toBe(`http://s3:${s3Port}`);
    // The local S3's root credentials are the ones the SDK chain of both apps picks up.
    for (const name of ["worker", "rekognition"]) {
      expect(env(name).AWS_ACCESS_KEY_ID, name).toBe(env("s3").ROOT_ACCESS_KEY);
      expect(env(name).AWS_SECRET_ACCESS_KEY, name).toBe(dotEnv.S3_SECRET_KEY);
    }
    expect(env("s3").ROOT_SECRET_KEY).toBe(dotEnv.S3_SECRET_KEY);
  });

  it("keeps the Rekognition server's collections on a volume", () => {
    const dataDir = env("rekognition").REKOGNITION_DATA_DIR;
    expect(services.rekognition?.volumes).toEqual([`rekognition-data:${dataDir}`]);
    expect(Object.keys(compose.volumes ?? {})).toContain("rekognition-data");
  });

  it("documents in .env.example every variable it reads from .env", () => {
    const raw = readFileSync(repoPath("docker-compose.yml"), "utf8");
    const read = new Set([...raw.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((match) => match[1]!));
    const example = readFileSync(repoPath(".env.example"), "utf8");
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z_][A-Z0-9_]*)=/gm)].map((match) => match[1]!));
    expect([...read].filter((key) => !documented.has(key))).toEqual([]);
    expect(readComposeRaw().services.api?.environment?.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
  });
});

describe("docker-compose.yml: healthchecks", () => {
  const servers: Server[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const server of servers) server.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("has one for every long-running service (s3-buckets runs once and exits)", () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === "s3-buckets") expect(service.healthcheck, name).toBeUndefined();
      else expect(service.healthcheck?.test.length, name).toBeGreaterThan(1);
    }
    // Dependents wait for health, not for a started process.
    expect(services.api?.depends_on?.redis?.condition).toBe("service_healthy");
    expect(services.worker?.depends_on).toEqual({
      redis: { condition: "service_healthy" },
      "s3-buckets": { condition: "service_completed_successfully" },
      rekognition: { condition: "service_healthy" },
    });
  });

  /** Runs a `node -e` healthcheck with its URL pointed at `port`; resolves to its exit code. */
  async function runNodeHealthcheck(service: ComposeService, fromPort: string, toPort: number): Promise<number> {
    const [kind, program, flag, script] = service.healthcheck!.test;
    expect([kind, program, flag]).toEqual(["CMD", "node", "-e"]);
    expect(script).toContain(`http://127.0.0.1:${fromPort}/`);
    const patched = script!.replace(`127.0.0.1:${fromPort}`, `127.0.0.1:${toPort}`);
    return run(process.execPath, ["-e", patched]).then(
      () => 0,
      (error: { code: number }) => error.code,
    );
  }

  async function probeServer(status: { code: number }, path: string): Promise<number> {
    const server = createServer((request, response) => {
      response.writeHead(request.url === path ? status.code : 404).end();
    });
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return (server.address() as AddressInfo).port;
  }

  it.each([
    ["api", "/readyz", () => env("api").PORT!],
    ["rekognition", "/_local/health", () => env("rekognition").REKOGNITION_PORT!],
    ["worker", "/readyz", () => env("worker").WORKER_HEALTH_PORT!],
  ])("%s's passes on 200 from %s, fails on 503 and when nothing listens", async (name, path, port) => {
    const status = { code: 200 };
    const listening = await probeServer(status, path);
    expect(await runNodeHealthcheck(services[name]!, port(), listening)).toBe(0);
    status.code = 503;
    expect(await runNodeHealthcheck(services[name]!, port(), listening)).toBe(1);
    expect(await runNodeHealthcheck(services[name]!, port(), await freePort())).toBe(1);
  });

  it("starts Redis (the local redis-server, same arguments) with AOF, maxmemory and noeviction", async () => {
    const [program, ...args] = services.redis!.command!;
    expect(program).toBe("redis-server");
    const dir = mkdtempSync(join(tmpdir(), "faceindex-compose-redis-"));
    dirs.push(dir);
    const port = await freePort();
    const redisServer = spawn("redis-server", [...args, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir], {
      stdio: "ignore",
    });
    try {
      const healthcheck = () =>
        run("sh", ["-c", services.redis!.healthcheck!.test[1]!.replace("redis-cli", `redis-cli -p ${port}`)], {
          env: { ...process.env, ...env("redis") },
        }).then(
          () => 0,
          (error: { code: number }) => error.code,
        );
      let status = await healthcheck();
      for (let attempt = 0; status !== 0 && attempt < 50; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = await healthcheck();
      }
      expect(status).toBe(0);

      // The api's URL (its host swapped for this one) authenticates; no password is refused.
      const url = new URL(env("api").REDIS_URL!);
      url.host = `127.0.0.1:${port}`;
      const redis = new Redis(url.toString(), { maxRetriesPerRequest: 1 });
      expect(await redis.ping()).toBe("PONG");
      expect(await redis.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "noeviction"]);
      expect(await redis.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
      const [, maxmemory] = (await redis.config("GET", "maxmemory")) as [string, string];
      expect(Number(maxmemory)).toBe(512 * 1024 * 1024);
      redis.disconnect();
      const anonymous = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1, lazyConnect: true });
      anonymous.on("error", () => {}); // the refusal is asserted below
      await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
      anonymous.disconnect();

      // A wrong password fails the healthcheck, even though redis-cli itself exits 0 on NOAUTH.
      const wrong = await run("sh", ["-c", `redis-cli -p ${port} ping | grep -q PONG`], {
        env: { ...process.env, REDISCLI_AUTH: "wrong" },
      }).then(
        () => 0,
        (error: { code: number }) => error.code,
      );
      expect(wrong).toBe(1);
    } finally {
      redisServer.kill("SIGTERM");
      await once(redisServer, "exit");
    }
  });
});
