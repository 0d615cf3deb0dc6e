export * from "./redis-connection.ts";
export * from "./lua-script.ts";
