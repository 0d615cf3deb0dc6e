/** The pool's queueing and failure handling, with a fake thread script (fast; the real threads are in neural-engine.test.ts). */
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { uniqueName } from "@faceindex/testing";
import { describe, expect, it } from "vitest";
import { ImageDecodeError } from "@faceindex/face-engine";
import { createNeuralPool } from "../src/neural/neural-pool.ts";

const fakeThread = new URL("./fixtures/fake-engine-thread.mjs", import.meta.url);
const image = (first: number, length = 8): Uint8Array => new Uint8Array(length).fill(first, 0, 1);

describe("createNeuralPool", () => {
  it("answers every queued job when there are more jobs than threads", async () => {
    const pool = await createNeuralPool({ threads: 2, log: () => {}, threadEntry: fakeThread });
    try {
      const sizes = await Promise.all(Array.from({ length: 9 }, (_, i) => pool.analyse(image(7, 10 + i))));
      expect(sizes.map((r) => r.width)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18]);
    } finally {
      await pool.close();
    }
  });

  it("turns a thread's decode error into ImageDecodeError", async () => {
    const pool = await createNeuralPool({ threads: 1, log: () => {}, threadEntry: fakeThread });
    try {
      await expect(pool.analyse(image(2))).rejects.toThrow(ImageDecodeError);
    } finally {
      await pool.close();
    }
  });

  it("fails only the job of a thread that crashes, and replaces the thread", async () => {
    const logs: string[] = [];
    const pool = await createNeuralPool({ threads: 1, log: (m) => logs.push(m), threadEntry: fakeThread });
    try {
      const crash = pool.analyse(image(0));
      const next = pool.analyse(image(7, 33));
      await expect(crash).rejects.toThrow(/thread stopped \(exit code 3\)/);
      expect((await next).width).toBe(33);
      expect(logs.join("\n")).toMatch(/starting a replacement/);
    } finally {
      await pool.close();
    }
  });

  it("fails a stuck job after the job timeout, and a replacement thread takes the next one", async () => {
    const pool = await createNeuralPool({ threads: 1, log: () => {}, threadEntry: fakeThread, jobTimeoutMs: 200 });
    try {
      await expect(pool.analyse(image(1))).rejects.toThrow(/took longer than 200 ms/);
      expect((await pool.analyse(image(7, 5))).width).toBe(5);
    } finally {
      await pool.close();
    }
  });

  it("terminates a thread that ignores the stop request once the grace is over, and closes", async () => {
    const pool = await createNeuralPool({
      threads: 1,
      log: () => {},
      threadEntry: fakeThread,
      jobTimeoutMs: 200,
      stopGraceMs: 300,
    });
    await expect(pool.analyse(image(3))).rejects.toThrow(/took longer/);
    expect((await pool.analyse(image(7, 6))).width).toBe(6);
    // Closing with that thread stuck again: close() still returns, and the job fails (timed out or stopped).
    const stuck = expect(pool.analyse(image(3))).rejects.toThrow(/took longer|thread stopped/);
    await pool.close();
    await stuck;
  });

  it("retires a thread stuck in onnxruntime runs without aborting the process", async () => {
    // Terminating a thread during an onnxruntime run aborts the whole process (SIGABRT, which would end this test
    // run). The pool asks the thread to stop instead: the net refuses its next run and the thread exits.
    const onnxThread = new URL("./fixtures/onnx-engine-thread.mjs", import.meta.url);
    const pool = await createNeuralPool({ threads: 1, log: () => {}, threadEntry: onnxThread, jobTimeoutMs: 300 });
    await expect(pool.analyse(image(1))).rejects.toThrow(/took longer than 300 ms/);
    expect((await pool.analyse(image(7, 4))).width).toBe(4);
    // And a close while a job is inside the net's runs.
    const inFlight = expect(pool.analyse(image(1))).rejects.toThrow(/thread is stopping/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await pool.close();
    await inFlight;
  });

  it("rejects queued jobs on close and refuses new ones", async () => {
    const pool = await createNeuralPool({ threads: 1, log: () => {}, threadEntry: fakeThread });
    const stuck = expect(pool.analyse(image(1))).rejects.toThrow(/thread stopped/);
    const queued = expect(pool.analyse(image(7))).rejects.toThrow(/closed/);
    await pool.close();
    await queued;
    await stuck;
    await expect(pool.analyse(image(7))).rejects.toThrow(/closed/);
  });

  it("fails jobs fast once no thread can be started, instead of queueing them forever", async () => {
    const marker = join(tmpdir(), `${uniqueName("no-restart")}.flag`);
    const logs: string[] = [];
    const pool = await createNeuralPool({
      threads: 1,
      log: (m) => logs.push(m),
      threadEntry: fakeThread,
      analyser: { failIfExists: marker } as never,
    });
    try {
      writeFileSync(marker, "");
      await expect(pool.analyse(image(0))).rejects.toThrow(/thread stopped/);
      await expect.poll(() => logs.join("\n")).toMatch(/replacement thread failed to start/);
      await expect(pool.analyse(image(7))).rejects.toThrow(/no face engine thread is running/);
    } finally {
      rmSync(marker, { force: true });
      await pool.close();
    }
  });

  it("reports a thread that cannot load its models instead of resolving", async () => {
    await expect(
      createNeuralPool({
        threads: 2,
        log: () => {},
        threadEntry: fakeThread,
        analyser: { failToStart: true } as never,
      }),
    ).rejects.toThrow(/failed to start: .*models missing/);
    await expect(createNeuralPool({ threads: 0, log: () => {} })).rejects.toThrow(/positive integer/);
  });
});
