export * from "./jobs.ts";
export * from "./queue-settings.ts";
export * from "./failed-outcome.ts";
export * from "./faces.ts";
export * from "./index-faces.ts";
export * from "./delete-faces.ts";
export * from "./search-faces.ts";
export * from "./gallery-keys.ts";
