/**
 * Copies the repository into a folder the way `docker build .` sends it: every file .dockerignore does not
 * exclude (matched by @balena/dockerignore, which follows Docker's own rules).
 */
import { cpSync, readFileSync } from "node:fs";
import { relative } from "node:path";
// CommonJS (`module.exports = factory`) typed as a default export; NodeNext types the import as the namespace.
import dockerignoreFactory from "@balena/dockerignore";
import { repoPath, repoRoot } from "./repo-root.ts";

export function dockerignore(): (path: string) => boolean {
  const ignore = dockerignoreFactory as unknown as typeof dockerignoreFactory.default;
  const rules = ignore().add(readFileSync(repoPath(".dockerignore"), "utf8"));
  return (path) => rules.ignores(path);
}

/** Returns the relative paths copied, so a test can say what the image would (not) contain. */
export function copyBuildContext(destination: string): string[] {
  const ignored = dockerignore();
  const copied: string[] = [];
  cpSync(repoRoot, destination, {
    recursive: true,
    // Called for folders too: an ignored folder (node_modules) is never walked.
    filter: (source) => {
      const path = relative(repoRoot, source);
      if (path === "") return true;
      if (ignored(path)) return false;
      copied.push(path);
      return true;
    },
  });
  return copied;
}
