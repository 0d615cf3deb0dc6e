export * from "./index-faces.ts";
