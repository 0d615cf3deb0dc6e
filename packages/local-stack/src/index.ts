export * from "./local-stack.ts";
export * from "./redis-server.ts";
export * from "./service-process.ts";
export * from "./throwaway-stack.ts";
