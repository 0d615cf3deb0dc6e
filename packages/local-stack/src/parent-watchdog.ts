/**
 * Preloaded (`--import`) into every Node child of the local stack: the child shuts itself down when the
 * stack's supervisor is gone, however it went (SIGKILL included), so no app is left running as an orphan.
 * The supervisor gives each child a pipe on fd 3 and never writes to it; when the supervisor dies the kernel
 * closes its end and this side reads EOF. Linux's PR_SET_PDEATHSIG does the same but is not reachable from
 * Node, and polling the parent pid would need a timer in every app; a pipe costs nothing until it closes.
 */
import { Socket } from "node:net";

// Time for the app's own SIGTERM shutdown (answer requests in flight, finish a job) before the exit is forced.
const SHUTDOWN_GRACE_MS = 15_000;

const fd = Number(process.env.FACEINDEX_PARENT_PIPE_FD);
// The fd is this process's only: a process this app starts must not take it for its own parent pipe.
delete process.env.FACEINDEX_PARENT_PIPE_FD;
if (Number.isInteger(fd) && fd > 2) {
  const pipe = new Socket({ fd, readable: true, writable: false });
  pipe.on("error", () => {}); // an error means the other end is gone too: 'close' follows
  pipe.once("close", () => {
    process.kill(process.pid, "SIGTERM");
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
  });
  pipe.resume();
  // The watch alone must not keep an app alive that has finished.
  pipe.unref();
}
