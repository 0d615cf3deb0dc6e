export * from "./parse-env.ts";
export * from "./unset-if-empty.ts";
