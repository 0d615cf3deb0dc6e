export * from "./sign-dev-token.ts";
