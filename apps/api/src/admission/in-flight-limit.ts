/**
 * Per-process cap on requests holding an image. Each one keeps its body (the base64 text and the decoded
 * bytes) for up to SYNC_TIMEOUT_MS, and a replay that attaches to an existing job passes the backlog
 * guard, so without a cap a burst of uploads or of client retries grows the heap until the process dies.
 * Past the cap a request is refused with 503 + Retry-After in its onRequest hook, before its body is read.
 * A slot is freed when the answer is sent or the connection closes, but never while the handler still
 * runs: a client that gave up leaves a handler waiting on its job with the body still in memory.
 */
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from "fastify";
import { ServiceUnavailableError } from "../http/errors.ts";

export interface InFlightLimit {
  /** onRequest hook: takes a slot, or throws ServiceUnavailableError (503) when none is free. */
  acquire(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Wraps a route handler so that its request's slot is held until the handler has finished. */
  holding(handler: RouteHandlerMethod): RouteHandlerMethod;
  /** Requests holding a slot now. */
  count(): number;
}

interface Slot {
  holders: number;
}

export function createInFlightLimit(options: {
  max: number;
  /** What 503s say in Retry-After: the requests in flight end within a few seconds (at most SYNC_TIMEOUT_MS). */
  retryAfterSeconds?: number;
}): InFlightLimit {
  let inFlight = 0;
  const slots = new WeakMap<FastifyRequest, Slot>();
  const drop = (slot: Slot): void => {
    slot.holders -= 1;
    if (slot.holders === 0) inFlight -= 1;
  };

  return {
    async acquire(request, reply) {
      if (inFlight >= options.max) {
        throw new ServiceUnavailableError(
          `This server is answering too many image requests (${inFlight}); retry after the Retry-After delay`,
          options.retryAfterSeconds ?? 2,
        );
      }
      inFlight += 1;
      // The response holds the slot until it is sent or its connection closes, whichever comes first.
      const slot: Slot = { holders: 1 };
      slots.set(request, slot);
      reply.raw.once("close", () => drop(slot));
    },
    holding(handler) {
      return async function (this: ThisParameterType<RouteHandlerMethod>, request, reply) {
        const slot = slots.get(request);
        // A slot already freed (the client left before the handler started) is not taken again.
        const held = slot !== undefined && slot.holders > 0;
        if (held) slot.holders += 1;
        try {
          return await handler.call(this, request, reply);
        } finally {
          if (held) drop(slot);
        }
      };
    },
    count: () => inFlight,
  };
}
