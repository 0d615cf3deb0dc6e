/**
 * Body of one engine worker thread: loads the models once, then answers AnalyseRequests one at a time
 * (the pool never sends a second before the first is answered) until a StopRequest (serve-analyser.ts).
 * A failure to load throws, which the pool sees as the thread's "error" event.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createNeuralAnalyser } from "./neural-analyser.ts";
import { serveAnalyser } from "./serve-analyser.ts";
import type { ThreadData } from "./thread-protocol.ts";

if (!parentPort) throw new Error("engine-thread.ts must run in a worker thread");
serveAnalyser(parentPort, await createNeuralAnalyser(workerData as ThreadData));
