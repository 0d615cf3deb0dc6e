export * from "./audit-entry.ts";
export * from "./audit-keys.ts";
export * from "./record-audit.ts";
export * from "./read-audit.ts";
