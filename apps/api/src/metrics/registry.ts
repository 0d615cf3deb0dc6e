/**
 * The API's metrics registry: prom-client's, with its default process metrics (event-loop lag, heap,
 * GC pauses, CPU, open handles), because MAX_IN_FLIGHT is sized by this process's memory. One registry
 * per app instance rather than prom-client's global one, so tests (and two apps in one process) never
 * share counts. Values live in this process; each API process is one scrape target.
 */
import { collectDefaultMetrics, Registry } from "prom-client";

export type MetricsRegistry = Registry;

export interface MetricsRegistryOptions {
  /** The process metrics; a test that builds many registries turns them off (each one adds GC observers). */
  processMetrics?: boolean;
}

export function createMetricsRegistry(options: MetricsRegistryOptions = {}): MetricsRegistry {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
