/**
 * An open-loop load: requests leave at a fixed rate whatever the server does, as independent users arrive.
 * autocannon cannot do this: its rate options only cap a connection's closed loop (a connection sends its
 * next request once the previous one is answered), so a slow server would lower the offered load with it.
 * Each request here has its own connection slot (a keep-alive agent without a socket limit).
 */
import { Agent, request } from "node:http";
import type { BodyFactory } from "./request-body.ts";

export interface OpenLoopOptions {
  url: string;
  token: string;
  ratePerSecond: number;
  durationSeconds: number;
  body: BodyFactory;
  /** A request unanswered this long after it was due counts as a client timeout (status 0). */
  timeoutMs: number;
}

export interface OpenLoopAnswer {
  /** HTTP status, 0 for a connection error or client timeout (see `failure`). */
  status: number;
  failure?: "timeout" | "connection";
  /** How late the sender sent it (a starved event loop sends late; the time still counts from when it was due). */
  lateMs: number;
  /** From the moment the request was due (not sent: a late send is the client's delay, still counted). */
  ms: number;
  retryAfter?: string;
  /** Milliseconds since the first request was due, when the answer arrived. */
  answeredAt: number;
}

// How often the sender checks for due requests: well under the gap between requests at 100 req/s.
const TICK_MS = 2;

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopAnswer[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const target = new URL(options.url);
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  const answers: Promise<OpenLoopAnswer>[] = [];
  const start = performance.now();
  try {
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * options.ratePerSecond) + 1);
        while (answers.length < due) {
          const dueAt = start + (answers.length * 1000) / options.ratePerSecond;
          answers.push(send(agent, target, options, dueAt, start));
        }
        if (answers.length >= total) {
          clearInterval(timer);
          resolve();
        }
      }, TICK_MS);
    });
    return await Promise.all(answers);
  } finally {
    agent.destroy();
  }
}

function send(
  agent: Agent,
  target: URL,
  options: OpenLoopOptions,
  dueAt: number,
  start: number,
): Promise<OpenLoopAnswer> {
  const body = options.body();
  const lateMs = performance.now() - dueAt;
  return new Promise((resolve) => {
    let answered = false;
    const done = (status: number, extra: Pick<OpenLoopAnswer, "retryAfter" | "failure"> = {}) => {
      if (answered) return;
      answered = true;
      clearTimeout(deadline);
      const now = performance.now();
      resolve({ status, ms: now - dueAt, answeredAt: now - start, lateMs, ...extra });
    };
    // A deadline on the whole exchange from when the request was due (a socket timeout would only catch silence).
    const deadline = setTimeout(
      () => {
        done(0, { failure: "timeout" });
        outgoing.destroy();
      },
      Math.max(0, options.timeoutMs - lateMs),
    );
    const outgoing = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: {
          authorization: `Bearer ${options.token}`,
          "content-type": "application/json",
          "content-length": body.length,
        },
      },
      (response) => {
        response.resume();
        const retryAfter = response.headers["retry-after"];
        response.on("end", () => done(response.statusCode ?? 0, retryAfter ? { retryAfter } : {}));
        response.on("error", () => done(0, { failure: "connection" }));
      },
    );
    outgoing.on("error", () => done(0, { failure: "connection" }));
    outgoing.end(body);
  });
}
