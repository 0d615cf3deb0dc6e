export * from "./local-s3.ts";
