export { buildApp, type AppDeps } from "./app.ts";
export { bodyLimitFor } from "./http/body-limit.ts";
export { createTokenVerifier, type VerifyToken } from "./auth/token-verifier.ts";
export { openLanes, type Lane, type Lanes } from "./jobs/lanes.ts";
