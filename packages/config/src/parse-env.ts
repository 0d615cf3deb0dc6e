/** What every app's config.ts shares: one way to parse the environment and report what is wrong with it. */
import { z } from "zod";

/** pino's levels; every app takes LOG_LEVEL. */
export const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");

/** Parses `env` with `schema`, or throws one error naming every bad variable (never its value: it may be a secret). */
export function parseEnv<Schema extends z.ZodType>(
  schema: Schema,
  env: NodeJS.ProcessEnv,
  app: string,
): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid ${app} environment: ${problems.join("; ")}`);
  }
  return result.data;
}
