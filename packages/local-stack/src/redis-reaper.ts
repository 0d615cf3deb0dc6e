/**
 * `node redis-reaper.ts <pid>`: stops a redis-server when the local stack's supervisor is gone. redis-server
 * cannot watch a pipe the way the Node children do (parent-watchdog.ts), and wrapping it in a Node process
 * would hide its own exit and signals from the supervisor and the tests; so this small process sits beside
 * it, reads the supervisor's pipe on fd 3, and on EOF sends the redis-server SIGTERM (it flushes its AOF),
 * then SIGKILL. It exits by itself once its redis-server is gone. Plain Node (type stripping), no tsx.
 */
import { Socket } from "node:net";

// redis-server flushes its AOF on SIGTERM within a second or two; past this it is killed.
const REDIS_STOP_GRACE_MS = 10_000;
// How often to check whether the redis-server is still there (then this process is not needed any more).
const ALIVE_CHECK_MS = 1_000;

const pid = Number(process.argv[2]);
const alive = () => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const check = setInterval(() => {
  if (!alive()) process.exit(0);
}, ALIVE_CHECK_MS);

const pipe = new Socket({ fd: 3, readable: true, writable: false });
pipe.on("error", () => {});
pipe.once("close", () => {
  clearInterval(check);
  if (alive()) process.kill(pid, "SIGTERM");
  const deadline = Date.now() + REDIS_STOP_GRACE_MS;
  const wait = setInterval(() => {
    if (!alive()) process.exit(0);
    if (Date.now() > deadline) {
      process.kill(pid, "SIGKILL");
      process.exit(0);
    }
  }, 100);
  wait.ref();
});
pipe.resume();
