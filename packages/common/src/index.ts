export * from "./image-type.ts";
