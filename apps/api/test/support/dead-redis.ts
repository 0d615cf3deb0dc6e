import { Redis } from "ioredis";

/**
 * A client of a Redis that is not there (port 9, discard), with the API's fail-fast options: what the
 * API holds during an outage. The caller disconnects it.
 */
export function deadRedis(): Redis {
  return new Redis({
    host: "127.0.0.1",
    port: 9,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
}
