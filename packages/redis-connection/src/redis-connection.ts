/**
 * One Redis connection from the apps' settings: a single node (`redis://`, TLS with `rediss://`), or a
 * Redis Cluster (ioredis Cluster) when REDIS_CLUSTER is on or the URL is `redis+cluster://` /
 * `rediss+cluster://`. The URL then names one seed node; ioredis discovers the others. Every key of ours
 * shares the `{faceindex}` hash tag (QUEUE_PREFIX), so BullMQ's multi-key scripts stay in one slot.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";

export type RedisConnection = Redis | Cluster;

export interface RedisTarget {
  url: string;
  /** REDIS_CLUSTER=true: the URL is a cluster seed even with a plain redis:// scheme. */
  cluster?: boolean;
}

const CLUSTER_SCHEME = /^(rediss?)\+cluster:/;

/** Whether the target is a cluster, and the URL with a scheme ioredis and URL parsers know. */
export function describeTarget(target: RedisTarget): { cluster: boolean; url: string; tls: boolean } {
  const match = CLUSTER_SCHEME.exec(target.url);
  const url = match ? target.url.replace(CLUSTER_SCHEME, `${match[1]}:`) : target.url;
  return { cluster: Boolean(match) || (target.cluster ?? false), url, tls: url.startsWith("rediss:") };
}

/**
 * `options` are per-node settings (retries, timeouts, offline queue); for a cluster they apply to every
 * node, and the offline queue and retry strategy also to the cluster as a whole.
 */
export function connectRedis(target: RedisTarget, options: RedisOptions = {}): RedisConnection {
  const { cluster, url, tls } = describeTarget(target);
  if (!cluster) return new Redis(url, options);
  const parsed = new URL(url);
  const nodeOptions: RedisOptions = {
    ...options,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    // Cluster nodes announce IPs, which a certificate for the service's name would not match; the
    // seed's host name is checked instead (as managed Redis services document).
    ...(tls ? { tls: { servername: parsed.hostname } } : {}),
  };
  const clusterOptions: ClusterOptions = {
    redisOptions: nodeOptions,
    ...(options.enableOfflineQueue === undefined ? {} : { enableOfflineQueue: options.enableOfflineQueue }),
    ...(options.retryStrategy ? { clusterRetryStrategy: options.retryStrategy } : {}),
    // With TLS, connect by the seed's name rather than a resolved IP, so the certificate matches.
    ...(tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
  };
  return new Cluster([{ host: parsed.hostname, port: Number(parsed.port || 6379) }], clusterOptions);
}
