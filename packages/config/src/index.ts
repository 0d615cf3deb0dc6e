export * from "./parse-env.ts";
