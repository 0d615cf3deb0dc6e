/**
 * Body of one engine worker thread: loads the models once, then answers AnalyseRequests one at a time
 * (the pool never sends a second before the first is answered). A failure to load throws, which the
 * pool sees as the thread's "error" event.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createNeuralAnalyser } from "./neural-analyser.ts";
import type { AnalyseRequest, ThreadData, ThreadMessage } from "./thread-protocol.ts";

const port = parentPort;
if (!port) throw new Error("engine-thread.ts must run in a worker thread");

const analyser = await createNeuralAnalyser(workerData as ThreadData);
const send = (message: ThreadMessage): void => port.postMessage(message);

port.on("message", (request: AnalyseRequest) => {
  analyser.analyse(request.image, request.options).then(
    (result) => send({ type: "result", id: request.id, result }),
    (error: unknown) => {
      const err = error instanceof Error ? error : new Error(String(error));
      send({ type: "error", id: request.id, name: err.name, message: err.message });
    },
  );
});
send({ type: "ready" });
