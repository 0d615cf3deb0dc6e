/**
 * The "neural" FaceEngine: a pool of worker threads, each with its own models, fed from one FIFO queue
 * so that several images are analysed at once and every core is used. A thread that crashes or gets
 * stuck fails only its own job; a replacement is started in its place.
 *
 * A thread is retired by asking it to stop (serve-analyser.ts), and terminated only if it does not exit within
 * STOP_GRACE_MS: terminating a thread during an onnxruntime run aborts the whole process.
 */
import { Worker } from "node:worker_threads";
import type { AnalysedImage, AnalyseOptions, FaceEngine } from "../types.ts";
import { ImageDecodeError } from "../types.ts";
import type { AnalyseRequest, StopRequest, ThreadData, ThreadMessage } from "./thread-protocol.ts";

/** A 2048-px image takes well under 2 s on one core; after this long the thread is stuck, not busy. */
const JOB_TIMEOUT_MS = 30_000;
/** Model loading takes about a second; a thread silent this long will never be ready. */
const START_TIMEOUT_MS = 60_000;
/**
 * A thread asked to stop exits within one model run (tens of ms); one still running after this long is stuck in
 * JavaScript or WebAssembly (no onnxruntime run in flight then), where terminate() is safe.
 */
const STOP_GRACE_MS = 10_000;

const THREAD_ENTRY = new URL("./engine-thread-entry.mjs", import.meta.url);

export interface NeuralPoolOptions {
  threads: number;
  log: (msg: string) => void;
  analyser?: ThreadData;
  /** Tests only: another thread script speaking the same protocol, and a shorter stuck-job limit. */
  threadEntry?: URL;
  jobTimeoutMs?: number;
  stopGraceMs?: number;
}

interface Job {
  id: number;
  image: Uint8Array;
  options?: AnalyseOptions;
  resolve: (result: AnalysedImage) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
  /** Asked to stop: it takes no jobs, and its exit needs no replacement. */
  retiring?: boolean;
  hardStop?: NodeJS.Timeout;
}

export async function createNeuralPool(options: NeuralPoolOptions): Promise<FaceEngine> {
  if (!Number.isInteger(options.threads) || options.threads < 1) {
    throw new RangeError(`threads must be a positive integer, got ${options.threads}`);
  }
  const queue: Job[] = [];
  const slots = new Set<Slot>();
  let nextId = 1;
  let closed = false;
  /** Replacement threads still loading; with none and no live thread, jobs fail fast instead of waiting forever. */
  let replacing = 0;

  const jobTimeoutMs = options.jobTimeoutMs ?? JOB_TIMEOUT_MS;
  const stopGraceMs = options.stopGraceMs ?? STOP_GRACE_MS;

  /** Takes the thread out of service: asks it to stop, terminates it if it has not exited after the grace. */
  function retire(slot: Slot): Promise<void> {
    slots.delete(slot);
    slot.retiring = true;
    const exited = new Promise<void>((resolve) => slot.worker.once("exit", () => resolve()));
    slot.worker.postMessage({ type: "stop" } satisfies StopRequest);
    slot.hardStop = setTimeout(() => void slot.worker.terminate(), stopGraceMs);
    return exited;
  }

  function dispatch(): void {
    for (const slot of slots) {
      if (slot.job) continue;
      const job = queue.shift();
      if (!job) return;
      slot.job = job;
      // Stuck thread: its job fails now, and a replacement takes the queue while it is retired.
      slot.timer = setTimeout(() => {
        finish(slot)?.reject(new Error(`the face engine took longer than ${jobTimeoutMs} ms on the image`));
        void retire(slot);
        replace();
      }, jobTimeoutMs);
      const request: AnalyseRequest = { id: job.id, image: job.image, options: job.options };
      slot.worker.postMessage(request, [job.image.buffer as ArrayBuffer]);
    }
  }

  function finish(slot: Slot): Job | undefined {
    const job = slot.job;
    clearTimeout(slot.timer);
    slot.job = undefined;
    slot.timer = undefined;
    return job;
  }

  function attach(slot: Slot): void {
    slot.worker.on("message", (message: ThreadMessage) => {
      if (message.type === "ready" || slot.job?.id !== message.id) return;
      const job = finish(slot)!;
      if (message.type === "result") job.resolve(message.result);
      else
        job.reject(
          message.name === "ImageDecodeError" ? new ImageDecodeError(message.message) : new Error(message.message),
        );
      dispatch();
    });
    slot.worker.on("error", (error) => options.log(`face engine thread failed: ${error.message}`));
    slot.worker.on("exit", (code) => {
      slots.delete(slot);
      clearTimeout(slot.hardStop);
      finish(slot)?.reject(new Error(`the face engine thread stopped (exit code ${code}) while analysing the image`));
      if (closed || slot.retiring) return;
      options.log(`face engine thread exited with code ${code}; starting a replacement`);
      replace();
    });
  }

  /** Starts a thread in place of one that exited or was retired. */
  function replace(): void {
    replacing++;
    startThread().then(
      (replacement) => {
        replacing--;
        if (closed) return void replacement.worker.terminate();
        slots.add(replacement);
        dispatch();
      },
      (error: unknown) => {
        replacing--;
        options.log(`face engine replacement thread failed to start: ${String(error)}`);
        // With no thread left nothing would ever take the queued jobs: fail them now.
        if (slots.size === 0)
          for (const job of queue.splice(0)) job.reject(new Error("no face engine thread is running"));
      },
    );
  }

  async function startThread(): Promise<Slot> {
    const worker = new Worker(options.threadEntry ?? THREAD_ENTRY, {
      workerData: options.analyser ?? {},
      execArgv: [],
    });
    await waitUntilReady(worker);
    const slot: Slot = { worker };
    attach(slot);
    return slot;
  }

  const started = await Promise.allSettled(Array.from({ length: options.threads }, () => startThread()));
  for (const s of started) if (s.status === "fulfilled") slots.add(s.value);
  const failure = started.find((s) => s.status === "rejected");
  if (failure) {
    await Promise.all([...slots].map((s) => s.worker.terminate()));
    throw new Error(`face engine threads failed to start: ${String(failure.reason)}`);
  }
  options.log(`face engine ready: neural, ${options.threads} thread(s)`);

  return {
    mode: "neural",
    analyse(image, analyseOptions) {
      if (closed) return Promise.reject(new Error("the face engine is closed"));
      if (slots.size === 0 && replacing === 0) return Promise.reject(new Error("no face engine thread is running"));
      // Copy: the buffer is transferred to the thread, and the caller's bytes must stay usable.
      const copy = new Uint8Array(image);
      return new Promise<AnalysedImage>((resolve, reject) => {
        queue.push({ id: nextId++, image: copy, options: analyseOptions, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error("the face engine is closed"));
      await Promise.all([...slots].map((s) => retire(s)));
    },
  };
}

function waitUntilReady(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`thread not ready after ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    const onMessage = (message: ThreadMessage): void => {
      if (message.type !== "ready") return;
      cleanup();
      resolve();
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`thread exited with code ${code} while loading the models`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      worker.off("message", onMessage).off("error", onError).off("exit", onExit);
    };
    worker.on("message", onMessage).on("error", onError).on("exit", onExit);
  });
}
