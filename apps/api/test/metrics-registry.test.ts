/** The Prometheus text format a scraper parses: HELP/TYPE lines, escaping, cumulative histogram buckets. */
import { describe, expect, it } from "vitest";
import { outcomeLabel } from "../src/metrics/job-outcomes.ts";
import { createMetricsRegistry } from "../src/metrics/registry.ts";

describe("metrics registry", () => {
  it("renders counters and gauges with HELP and TYPE, and escapes help and label values", async () => {
    const registry = createMetricsRegistry();
    const requests = registry.counter({
      name: "demo_requests_total",
      help: 'Requests\\answers\nsecond line "quoted"',
      labelNames: ["route"],
    });
    const open = registry.gauge({ name: "demo_open", help: "Open now." });
    requests.inc({ route: 'a\\b"c\nd' });
    requests.inc({ route: 'a\\b"c\nd' }, 2);
    requests.inc({ route: "/plain" });
    open.inc();
    open.inc();
    open.dec();

    expect(await registry.render()).toBe(
      [
        '# HELP demo_requests_total Requests\\\\answers\\nsecond line "quoted"',
        "# TYPE demo_requests_total counter",
        'demo_requests_total{route="a\\\\b\\"c\\nd"} 3',
        'demo_requests_total{route="/plain"} 1',
        "# HELP demo_open Open now.",
        "# TYPE demo_open gauge",
        "demo_open 1",
        "",
      ].join("\n"),
    );
  });

  it("renders histogram buckets cumulatively, ending with +Inf, then _sum and _count", async () => {
    const registry = createMetricsRegistry();
    const duration = registry.histogram({
      name: "demo_seconds",
      help: "Durations.",
      labelNames: ["route"],
      buckets: [0.1, 1, 10],
    });
    for (const seconds of [0.0625, 0.5, 0.5, 4, 100]) duration.observe({ route: "/x" }, seconds);

    expect(await registry.render()).toBe(
      [
        "# HELP demo_seconds Durations.",
        "# TYPE demo_seconds histogram",
        'demo_seconds_bucket{route="/x",le="0.1"} 1',
        'demo_seconds_bucket{route="/x",le="1"} 3',
        'demo_seconds_bucket{route="/x",le="10"} 4',
        'demo_seconds_bucket{route="/x",le="+Inf"} 5',
        'demo_seconds_sum{route="/x"} 105.0625',
        'demo_seconds_count{route="/x"} 5',
        "",
      ].join("\n"),
    );
  });

  it("shows a labelled metric with no observations as HELP and TYPE only, and an unlabelled one at 0", async () => {
    const registry = createMetricsRegistry();
    registry.counter({ name: "demo_total", help: "Nothing yet.", labelNames: ["kind"] });
    const up = registry.gauge({ name: "demo_up", help: "Up." });
    up.set({}, 1);
    up.reset();
    expect(await registry.render()).toBe(
      "# HELP demo_total Nothing yet.\n# TYPE demo_total counter\n# HELP demo_up Up.\n# TYPE demo_up gauge\ndemo_up 0\n",
    );
  });

  it("refuses what would corrupt the output: a wrong label set, a duplicate name, a decreasing counter", () => {
    const registry = createMetricsRegistry();
    const counter = registry.counter({ name: "demo_total", help: "x", labelNames: ["route"] });
    expect(() => counter.inc({ status: "200" })).toThrow(/takes labels \[route\]/);
    expect(() => counter.inc({ route: "/", status: "200" })).toThrow(/takes labels/);
    expect(() => counter.inc({ route: "/" }, -1)).toThrow(/cannot go down/);
    expect(() => registry.gauge({ name: "demo_total", help: "again" })).toThrow(/already registered/);
    expect(() => registry.histogram({ name: "demo_h", help: "x", buckets: [1, 0.5] })).toThrow(/ascending/);
  });

  it("runs the scrape-time collectors before rendering", async () => {
    const registry = createMetricsRegistry();
    const depth = registry.gauge({ name: "demo_depth", help: "Depth.", labelNames: ["queue"] });
    let reads = 0;
    registry.onScrape(async () => depth.set({ queue: "q" }, ++reads));
    expect(await registry.render()).toContain('demo_depth{queue="q"} 1');
    expect(await registry.render()).toContain('demo_depth{queue="q"} 2');
  });
});

describe("job outcome labels", () => {
  it("keeps label values bounded: statuses, failure classes, timeout", () => {
    const completed = (returnvalue: unknown) => outcomeLabel({ status: "completed", returnvalue });
    expect(completed({ status: "indexed" })).toBe("indexed");
    expect(completed({ status: "no_face" })).toBe("no_face");
    expect(completed({ status: "duplicate" })).toBe("duplicate");
    expect(completed({ status: "failed", code: "ThrottlingException", retryable: true })).toBe("failed_transient");
    expect(completed({ status: "failed", code: "NoSuchBucket", retryable: false })).toBe("failed_permanent");
    // Anything a worker should never return still maps to one value, never to its own series.
    expect(completed({ status: "surprise-123" })).toBe("job_error");
    expect(completed(null)).toBe("job_error");
    expect(outcomeLabel({ status: "failed", failedReason: "boom" })).toBe("job_error");
    expect(outcomeLabel({ status: "timeout" })).toBe("timeout");
  });
});
