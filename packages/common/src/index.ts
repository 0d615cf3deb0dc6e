export * from "./image-type.ts";
export * from "./base64-length.ts";
export * from "./in-background.ts";
