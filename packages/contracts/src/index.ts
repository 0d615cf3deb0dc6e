export * from "./index-faces.ts";
export * from "./delete-faces.ts";
export * from "./search-faces.ts";
export * from "./gallery-keys.ts";
