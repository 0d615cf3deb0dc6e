// Worker threads start as plain Node: register tsx here so that engine-thread.ts (TypeScript) loads,
// whether the parent runs under the tsx CLI, `node --import tsx` or vitest. The pool starts threads with
// an empty execArgv, so this is the only registration.
import { register } from "tsx/esm/api";

register();
await import("./engine-thread.ts");
