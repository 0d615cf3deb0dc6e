/**
 * docker-compose.yml as compose would see it: YAML with merge keys (`<<`), then every string interpolated
 * from an environment the way compose does with a .env file. No kept npm package implements compose's
 * interpolation, so the few forms compose defines are written out here ($$, $VAR, ${VAR}, ${VAR:-x},
 * ${VAR-x}, ${VAR:?msg}, ${VAR?msg}, ${VAR:+x}, ${VAR+x}).
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { repoPath } from "./repo-root.ts";

export interface ComposeService {
  image?: string;
  build?: string | { context: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  networks?: string[];
  volumes?: string[];
  healthcheck?: { test: string[]; start_period?: string };
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  privileged?: boolean;
  user?: string;
  network_mode?: string;
  deploy?: { replicas?: number };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: Record<string, { internal?: boolean } | null>;
  volumes?: Record<string, unknown>;
}

const VARIABLE = /\$(?:\$|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([^}]*))?\})/g;

export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(VARIABLE, (match, bare?: string, name?: string, colon?: string, operator?: string, arg = "") => {
    if (match === "$$") return "$";
    const key = (bare ?? name)!;
    const value = env[key];
    // With a colon, an empty value counts as unset, as in compose and the shell.
    const set = colon ? value !== undefined && value !== "" : value !== undefined;
    if (operator === "-") return set ? value! : arg;
    if (operator === "?") {
      if (!set) throw new Error(`required variable ${key} is missing a value: ${arg}`);
      return value!;
    }
    if (operator === "+") return set ? arg : "";
    return value ?? "";
  });
}

function interpolateAll(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === "string") return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, env));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item, env)]));
  }
  return value;
}

/** The raw file (nothing interpolated), for checks on how values are written. */
export function readComposeRaw(): ComposeFile {
  return parse(readFileSync(repoPath("docker-compose.yml"), "utf8"), { merge: true }) as ComposeFile;
}

export function readCompose(env: Record<string, string | undefined>): ComposeFile {
  return interpolateAll(readComposeRaw(), env) as ComposeFile;
}
