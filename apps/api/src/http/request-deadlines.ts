/**
 * Deadlines for receiving a request, as Node's HTTP server options that Fastify passes through: past them
 * Node answers 408 (or, once an answer was sent, just closes) and closes the connection, which frees the
 * request's in-flight slot (admission/in-flight-limit.ts). Node's own options do the job, so nothing here
 * times sockets by hand:
 * - requestTimeout bounds the headers and the whole body together (BODY_TIMEOUT_MS); it stops counting once
 *   the body is in, so the wait for the job (up to SYNC_TIMEOUT_MS) is not cut.
 * - headersTimeout bounds the headers alone; Node requires it to be at most requestTimeout.
 * - connectionsCheckingInterval is how often Node looks for requests past those deadlines (30 s by default,
 *   which would let a slow body overstay its deadline by half a minute).
 * Fastify's connectionTimeout (an idle-socket timeout) is left off on purpose: a client waiting for its job
 * sends nothing for up to SYNC_TIMEOUT_MS, and an idle timeout below that would cut legitimate waits; idle
 * keep-alive sockets are closed by Node's keepAliveTimeout.
 */
import type { ServerOptions } from "node:http";

// Headers are a few KB: ten seconds is generous on any link, and a header trickle cannot hold a socket longer.
const HEADERS_TIMEOUT_MS = 10_000;
// A quarter of the shortest deadline, at most a second: a late body is closed within about that much of it.
const MAX_CHECK_INTERVAL_MS = 1_000;

export interface RequestDeadlines {
  requestTimeout: number;
  http: Pick<ServerOptions, "headersTimeout" | "connectionsCheckingInterval">;
}

export function requestDeadlines(bodyTimeoutMs: number): RequestDeadlines {
  const headersTimeout = Math.min(HEADERS_TIMEOUT_MS, bodyTimeoutMs);
  return {
    requestTimeout: bodyTimeoutMs,
    http: {
      headersTimeout,
      connectionsCheckingInterval: Math.max(10, Math.min(MAX_CHECK_INTERVAL_MS, Math.floor(headersTimeout / 4))),
    },
  };
}
