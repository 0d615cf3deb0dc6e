export * from "./fixtures.ts";
export * from "./redis-url.ts";
export * from "./unique-name.ts";
export * from "./free-port.ts";
export * from "./redis-cluster.ts";
