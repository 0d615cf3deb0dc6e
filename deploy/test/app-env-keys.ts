/**
 * The variables each app's config schema reads, taken from the text of apps/<app>/src/config.ts (the keys
 * of its z.object, one per line as the files are written), so these tests import nothing from the apps.
 * It finds names, not types or defaults: a value that breaks a schema shows only when the app starts.
 */
import { readFileSync } from "node:fs";
import { repoPath } from "./repo-root.ts";

export type AppName = "api" | "worker" | "rekognition-local";

export function appEnvKeys(app: AppName): Set<string> {
  const text = readFileSync(repoPath(`apps/${app}/src/config.ts`), "utf8");
  return new Set([...text.matchAll(/^\s+([A-Z][A-Z0-9_]*):\s/gm)].map((match) => match[1]!));
}

/** Read by the AWS SDK's default credential chain, not by the schema (worker and rekognition-local use it). */
export const AWS_SDK_ENV = new Set(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"]);
