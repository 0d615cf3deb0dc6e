export * from "./redis-connection.ts";
export * from "./lua-script.ts";
export * from "./delete-if-value.ts";
