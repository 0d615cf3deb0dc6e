/** The Dockerfile and .dockerignore, read as data: the rules an image build must keep. */
import { existsSync, readFileSync } from "node:fs";
import { validate } from "dockerfile-utils";
import { describe, expect, it } from "vitest";
import { dockerignore } from "./build-context.ts";
import { finalStage, readDockerfile } from "./dockerfile.ts";
import { repoPath } from "./repo-root.ts";
import { productionWorkspaceDirs } from "./workspace-packages.ts";

const stages = readDockerfile();
const image = finalStage(stages);
const APPS = ["@faceindex/api", "@faceindex/worker", "@faceindex/rekognition-local"];

describe("Dockerfile", () => {
  it("has nothing dockerfile-utils (the linter behind VS Code's Docker support) reports", () => {
    const problems = validate(readFileSync(repoPath("Dockerfile"), "utf8"));
    expect(problems.map((problem) => `line ${problem.range.start.line + 1}: ${problem.message}`)).toEqual([]);
  });

  it("builds every stage on Node 24 LTS, slim Debian bookworm", () => {
    expect(stages.map((stage) => stage.image)).toEqual(stages.map(() => "node:24-bookworm-slim"));
  });

  it("runs as a numeric non-root user (Kubernetes' runAsNonRoot can verify only a number)", () => {
    expect(image.user).toMatch(/^[1-9]\d*(:\d+)?$/);
  });

  it("runs the apps with node, never tsx, and defaults to an entry point that exists", () => {
    expect(image.entrypoint?.[0]).toBe("node");
    expect(JSON.stringify([image.entrypoint, image.cmd])).not.toMatch(/tsx/);
    expect(image.cmd).toHaveLength(1);
    expect(existsSync(repoPath(image.cmd![0]!))).toBe(true);
    expect(image.env.NODE_ENV).toBe("production");
  });

  it("installs production dependencies only, from the lockfile as it is", () => {
    const install = stages[0]!.runs.find((run) => run.startsWith("pnpm install"));
    expect(install).toBeDefined();
    expect(install!.split(/\s+/)).toEqual(expect.arrayContaining(["--prod", "--frozen-lockfile"]));
    // The final stage takes the built tree and nothing else: no pnpm, no store, no build tools.
    expect(image.copies).toEqual([{ flags: [`--from=${stages[0]!.name}`], args: ["/app", "/app"] }]);
    expect(image.runs.join(" ")).not.toMatch(/pnpm|npm install/);
  });

  it("installs the pnpm that package.json names", () => {
    const { packageManager } = JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { packageManager: string };
    expect(stages[0]!.runs).toContain(`npm install -g ${packageManager}`);
  });
});

describe(".dockerignore", () => {
  const ignored = dockerignore();

  it("keeps every workspace package the apps need at run time", () => {
    const needed = productionWorkspaceDirs(APPS);
    expect(needed).toEqual(expect.arrayContaining(["apps/api", "apps/worker", "packages/contracts"]));
    for (const dir of needed) {
      expect(ignored(`${dir}/package.json`), dir).toBe(false);
      expect(ignored(`${dir}/src/index.ts`), dir).toBe(false);
    }
    expect(ignored("apps/rekognition-local/model/rekognition-2016-06-27.service-model.json")).toBe(false);
    for (const file of ["pnpm-lock.yaml", "pnpm-workspace.yaml", "package.json"]) expect(ignored(file)).toBe(false);
  });

  it("keeps secrets, local data, tests and test photos out of the image", () => {
    for (const path of [
      ".env",
      ".git",
      ".data/redis/appendonly.aof",
      "node_modules/fastify/package.json",
      "apps/api/node_modules/fastify/package.json",
      "apps/api/test/auth.test.ts",
      "packages/testing/fixtures/faces/same/obama_1.jpg",
    ]) {
      expect(ignored(path), path).toBe(true);
    }
  });
});
