/**
 * Test helpers for running `pnpm start` as a user does (its own redis-server, load-test engine, free ports)
 * and for looking at its process tree in /proc.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { freePort, uniqueName } from "@faceindex/testing";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface PnpmStart {
  process: ChildProcess;
  ports: { api: number; s3: number; rekognition: number; redis: number; workerHealth: number };
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
}

/** Starts `node --import tsx packages/local-stack/src/main.ts` (what `pnpm start` runs) and waits for its banner. */
export async function startPnpmStart(dataDir: string, options: { underShell?: boolean } = {}): Promise<PnpmStart> {
  const ports = {
    api: await freePort(),
    s3: await freePort(),
    rekognition: await freePort(),
    redis: await freePort(),
    workerHealth: await freePort(),
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: join(dataDir, "data"),
    PORT: String(ports.api),
    S3_PORT: String(ports.s3),
    REKOGNITION_PORT: String(ports.rekognition),
    REDIS_PORT: String(ports.redis),
    FACE_ENGINE: "load-test",
    FACE_ENGINE_THREADS: "1",
    QUEUE_PREFIX: `{${uniqueName("pnpm-start")}}`,
    // Every port its own: vitest runs the files that start a stack side by side, and a second worker on the fixed
    // default health port (9475) or metrics port (9465) exits at once, so that stack never comes up.
    METRICS_PORT: "0",
    WORKER_METRICS_PORT: "0",
    WORKER_HEALTH_PORT: String(ports.workerHealth),
    LOG_LEVEL: "error",
  };
  delete env.REDIS_URL; // its own redis-server, which it supervises
  delete env.REDIS_MAXMEMORY; // the default is under test
  const command = [process.execPath, "--import", "tsx", "packages/local-stack/src/main.ts"];
  // underShell: as pnpm runs it, under `sh -c` (the trailing `exit` keeps the shell from exec-ing node, so
  // the shell stays its parent and can be killed alone).
  const child = options.underShell
    ? spawn("sh", ["-c", `"${command.join('" "')}"; exit $?`], {
        cwd: repoRoot,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      })
    : spawn(command[0]!, command.slice(1), { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const started = { process: child, ports, output: () => output };
  // Generous: tsx compiles every app on first start on a shared 2-core machine.
  await until(() => output.includes("faceindex is running."), "pnpm start to be running", 180_000, started);
  return started;
}

/** Kills what is left of a started stack (after a failed test), children first. */
export async function killPnpmStart(started: PnpmStart | undefined): Promise<void> {
  if (!started?.process.pid || !isRunning(started.process.pid)) return;
  const pids = descendants(started.process.pid);
  started.process.kill("SIGKILL");
  await until(() => pids.every((pid) => !isRunning(pid)), "the children to stop", 30_000).catch(() => {
    for (const pid of pids.filter(isRunning)) process.kill(pid, "SIGKILL");
  });
}

/** Every live process below `pid` (children, grandchildren), from /proc. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const child of parents.get(parent) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped) is not running.
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

export async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  withinMs = 60_000,
  started?: PnpmStart,
): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${started ? `\n${started.output()}` : ""}`);
}
