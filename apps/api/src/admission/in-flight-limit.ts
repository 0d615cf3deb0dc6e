/**
 * Per-process cap on requests holding an image, counted three ways: requests (MAX_IN_FLIGHT), the bytes
 * their bodies declare (MAX_IN_FLIGHT_BYTES) and, per caller, both again (MAX_IN_FLIGHT_PER_CALLER and a
 * share of the bytes; a caller is a tenant's subject), so one caller, slow or fast, cannot take every slot. Each request keeps its body (the
 * base64 text and the decoded bytes) for up to SYNC_TIMEOUT_MS, and a replay that attaches to an existing
 * job passes the backlog guard, so without a cap a burst of uploads or of client retries grows the heap
 * until the process dies.
 *
 * The request and byte counts are taken in the first onRequest hook, before the token is checked and the
 * body read (an anonymous flood costs a header parse); the caller's share once the token names the caller.
 * Past any cap: 503 + Retry-After. A slot is freed when the answer is sent or the connection closes (a body
 * that missed its deadline closes it: app.ts), but never while the handler still runs: a client that gave up
 * leaves a handler waiting on its job with the body still in memory.
 */
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from "fastify";
import { ServiceUnavailableError } from "../http/errors.ts";

export interface InFlightLimit {
  /** onRequest hook: takes a slot and the body's declared bytes, or throws ServiceUnavailableError (503). */
  acquire(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** onRequest hook after authentication: charges the slot to its caller, or throws 503 past the caller's share. */
  acquireCaller(request: FastifyRequest): Promise<void>;
  /** Wraps a route handler so that its request's slot is held until the handler has finished. */
  holding(handler: RouteHandlerMethod): RouteHandlerMethod;
  /** Requests holding a slot now. */
  count(): number;
  /** Body bytes the requests holding a slot declared. */
  bytes(): number;
}

export interface InFlightLimitOptions {
  max: number;
  /** Body bytes (Content-Length, or maxBodyBytes when a body is chunked) the slots may hold together. */
  maxBytes?: number;
  /** Slots one caller may hold; a caller also holds at most the same share of maxBytes (at least a quarter). */
  maxPerCaller?: number;
  /** A chunked body declares no length: it is charged as the largest body accepted. */
  maxBodyBytes?: number;
  /** What 503s say in Retry-After: the requests in flight end within a few seconds (at most SYNC_TIMEOUT_MS). */
  retryAfterSeconds?: number;
}

/**
 * A caller may hold at least a quarter of the bytes: four callers sending their largest images share the
 * process, and with the default 192 MiB one caller still has two 15 MiB images (~21 MB bodies) in flight.
 * A larger slot share (MAX_IN_FLIGHT_PER_CALLER / MAX_IN_FLIGHT, e.g. all of it for a deployment with one
 * calling service) raises the byte share with it, so the two caps of a caller agree.
 */
const MIN_CALLER_BYTES_SHARE = 0.25;

interface Slot {
  holders: number;
  bytes: number;
  caller?: string;
}

interface Usage {
  count: number;
  bytes: number;
}

export function createInFlightLimit(options: InFlightLimitOptions): InFlightLimit {
  const maxBytes = options.maxBytes ?? Infinity;
  const maxPerCaller = options.maxPerCaller ?? Infinity;
  const callerBytes = maxBytes * Math.min(1, Math.max(MIN_CALLER_BYTES_SHARE, maxPerCaller / options.max));
  const retryAfter = options.retryAfterSeconds ?? 2;
  const total: Usage = { count: 0, bytes: 0 };
  const callers = new Map<string, Usage>();
  const slots = new WeakMap<FastifyRequest, Slot>();

  const drop = (slot: Slot): void => {
    slot.holders -= 1;
    if (slot.holders > 0) return;
    total.count -= 1;
    total.bytes -= slot.bytes;
    if (slot.caller === undefined) return;
    const usage = callers.get(slot.caller);
    if (!usage) return;
    usage.count -= 1;
    usage.bytes -= slot.bytes;
    if (usage.count === 0) callers.delete(slot.caller);
  };
  const refuse = (what: string): ServiceUnavailableError =>
    new ServiceUnavailableError(`${what}; retry after the Retry-After delay`, retryAfter);

  return {
    async acquire(request, reply) {
      const bytes = declaredBytes(request, options.maxBodyBytes);
      if (total.count >= options.max) {
        throw refuse(`This server is answering too many image requests (${total.count})`);
      }
      // One request alone may always pass (its size is capped by the body limit), so a small budget never locks out.
      if (total.count > 0 && total.bytes + bytes > maxBytes) {
        throw refuse(`This server is holding too many image bytes (${total.bytes})`);
      }
      total.count += 1;
      total.bytes += bytes;
      // The response holds the slot until it is sent or its connection closes, whichever comes first.
      const slot: Slot = { holders: 1, bytes };
      slots.set(request, slot);
      reply.raw.once("close", () => drop(slot));
    },
    async acquireCaller(request) {
      const slot = slots.get(request);
      if (!slot || slot.holders === 0 || slot.caller !== undefined) return;
      const caller = callerOf(request);
      const usage = callers.get(caller) ?? { count: 0, bytes: 0 };
      if (usage.count >= maxPerCaller) {
        throw refuse(`This caller has too many image requests in flight (${usage.count})`);
      }
      if (usage.count > 0 && usage.bytes + slot.bytes > callerBytes) {
        throw refuse(`This caller is sending too many image bytes at once (${usage.bytes})`);
      }
      usage.count += 1;
      usage.bytes += slot.bytes;
      callers.set(caller, usage);
      slot.caller = caller;
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
    count: () => total.count,
    bytes: () => total.bytes,
  };
}

/** The body's Content-Length; a chunked body, which declares none, counts as the largest accepted. */
function declaredBytes(request: FastifyRequest, maxBodyBytes = 0): number {
  const declared = Number(request.headers["content-length"]);
  if (Number.isSafeInteger(declared) && declared >= 0) return declared;
  return maxBodyBytes;
}

/**
 * Who a slot is charged to: the token's tenant and subject together. Not the tenant alone: in a single-tenant
 * deployment every caller shares the default tenant, and one subject could again take every slot.
 */
function callerOf(request: FastifyRequest): string {
  const tenant = (request as { tenant?: { name?: unknown } | null }).tenant?.name;
  return `${typeof tenant === "string" ? tenant : ""}\0${request.subject}`;
}
