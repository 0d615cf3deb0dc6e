/** Where the repository's files are, for tests that read the Dockerfile, compose file and manifests. */
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export function repoPath(relative: string): string {
  return repoRoot + relative;
}
