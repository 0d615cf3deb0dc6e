/**
 * The message loop of one engine thread: answers the pool's AnalyseRequests one at a time, and on a
 * StopRequest exits at the first moment no model is running: at once when idle, else as soon as the analysis
 * in flight settles (the analyser starts no more onnxruntime runs, so it fails at its next one).
 *
 * The thread exits by itself because the pool must not terminate() it during an onnxruntime run: that aborts
 * the whole process ("terminate called after throwing an instance of 'Napi::Error'", SIGABRT), where a
 * TensorFlow.js thread can be terminated at any point.
 */
import type { MessagePort } from "node:worker_threads";
import type { AnalysedImage, AnalyseOptions } from "../types.ts";
import type { PoolMessage, ThreadMessage } from "./thread-protocol.ts";

export interface StoppableAnalyser {
  analyse(image: Uint8Array, options?: AnalyseOptions): Promise<AnalysedImage>;
  stop(): void;
}

export function serveAnalyser(port: MessagePort, analyser: StoppableAnalyser): void {
  const send = (message: ThreadMessage): void => port.postMessage(message);
  let busy = false;
  let stopping = false;
  const exitIfStopping = (): void => {
    if (stopping && !busy) process.exit(0);
  };
  port.on("message", (message: PoolMessage) => {
    if ("type" in message) {
      stopping = true;
      analyser.stop();
      return exitIfStopping();
    }
    busy = true;
    analyser
      .analyse(message.image, message.options)
      .then(
        (result) => send({ type: "result", id: message.id, result }),
        (error: unknown) => {
          const err = error instanceof Error ? error : new Error(String(error));
          send({ type: "error", id: message.id, name: err.name, message: err.message });
        },
      )
      .finally(() => {
        busy = false;
        exitIfStopping();
      });
  });
  send({ type: "ready" });
}
