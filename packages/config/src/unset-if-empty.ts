import { z } from "zod";

/**
 * An empty (or blank) variable counts as unset, so `FOO=` in an .env file or `FOO: ""` in a compose
 * file means "use the default" (or "not configured"), never a value of "". Wrap a variable's schema in it.
 */
export function unsetIfEmpty<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), schema);
}
