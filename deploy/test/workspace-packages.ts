/** The workspace's packages as their package.json files say, to follow which ones production code needs. */
import { readdirSync, readFileSync } from "node:fs";
import { repoPath } from "./repo-root.ts";

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
}

function readWorkspace(): Map<string, { dir: string; manifest: Manifest }> {
  const packages = new Map<string, { dir: string; manifest: Manifest }>();
  for (const parent of ["apps", "packages"]) {
    for (const entry of readdirSync(repoPath(parent), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = `${parent}/${entry.name}`;
      const manifest = JSON.parse(readFileSync(repoPath(`${dir}/package.json`), "utf8")) as Manifest;
      packages.set(manifest.name, { dir, manifest });
    }
  }
  return packages;
}

/** Folders of `names` and of every workspace package they reach through `dependencies` (not devDependencies). */
export function productionWorkspaceDirs(names: string[]): string[] {
  const workspace = readWorkspace();
  const seen = new Set<string>();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const found = workspace.get(name);
    if (!found) throw new Error(`${name} is not a workspace package`);
    for (const [dependency, version] of Object.entries(found.manifest.dependencies ?? {})) {
      if (version.startsWith("workspace:")) queue.push(dependency);
    }
  }
  return [...seen].map((name) => workspace.get(name)!.dir).sort();
}
