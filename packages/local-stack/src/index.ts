export * from "./local-stack.ts";
export * from "./redis-server.ts";
export * from "./service-process.ts";
