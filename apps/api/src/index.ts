export { buildApp, bodyLimitFor, type AppDeps } from "./app.ts";
export { signDevToken, type DevTokenOptions } from "./dev-token.ts";
export { createTokenVerifier, type VerifyToken } from "./token-verifier.ts";
export { createJobWaiter, finishedJobLoader, type JobWaiter } from "./job-waiter.ts";
