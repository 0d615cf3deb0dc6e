/**
 * A small metrics registry (counters, gauges, histograms with fixed buckets) rendered in the Prometheus
 * text format. Written here rather than taken from prom-client: the API needs six metrics, and the
 * format is a few lines (exposition.ts). Values live in this process; each API process is one target.
 */
import { formatHeader, formatSample, type MetricType } from "./exposition.ts";

export type Labels = Readonly<Record<string, string>>;

export interface Counter {
  inc(labels?: Labels, by?: number): void;
}

export interface Gauge {
  set(labels: Labels, value: number): void;
  inc(labels?: Labels): void;
  dec(labels?: Labels): void;
  /** Drops every series: a scrape-time gauge must not keep reporting values it could not read again. */
  reset(): void;
}

export interface Histogram {
  observe(labels: Labels, value: number): void;
}

interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export interface MetricsRegistry {
  counter(options: MetricOptions): Counter;
  gauge(options: MetricOptions): Gauge;
  /** `buckets` are the upper bounds, ascending; `+Inf` is added. */
  histogram(options: MetricOptions & { buckets: readonly number[] }): Histogram;
  /** Runs before every render, for values cheaper to read at scrape time than to keep current (queue counts). Must not throw. */
  onScrape(collect: () => Promise<void>): void;
  /** Runs the scrape-time collectors, then renders every metric. */
  render(): Promise<string>;
}

type Pairs = [string, string][];

interface Metric {
  render(): string;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function createMetricsRegistry(): MetricsRegistry {
  const metrics = new Map<string, Metric>();
  const collectors: (() => Promise<void>)[] = [];

  const add = <T extends Metric>(name: string, metric: T): T => {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    if (metrics.has(name)) throw new Error(`metric ${name} is already registered`);
    metrics.set(name, metric);
    return metric;
  };

  return {
    counter({ name, help, labelNames = [] }) {
      const series = createSeries(name, labelNames, () => 0);
      return add<Counter & Metric>(name, {
        inc(labels = {}, by = 1) {
          if (by < 0) throw new Error(`counter ${name} cannot go down`);
          series.update(labels, (value) => value + by);
        },
        render: () => renderSimple(name, help, "counter", series),
      });
    },
    gauge({ name, help, labelNames = [] }) {
      const series = createSeries(name, labelNames, () => 0);
      return add<Gauge & Metric>(name, {
        set: (labels, value) => series.update(labels, () => value),
        inc: (labels = {}) => series.update(labels, (value) => value + 1),
        dec: (labels = {}) => series.update(labels, (value) => value - 1),
        reset: () => series.clear(),
        render: () => renderSimple(name, help, "gauge", series),
      });
    },
    histogram({ name, help, labelNames = [], buckets }) {
      if (labelNames.includes("le")) throw new Error(`histogram ${name} cannot have a label "le"`);
      if (buckets.some((bound, i) => i > 0 && bound <= (buckets[i - 1] ?? -Infinity))) {
        throw new Error(`histogram ${name} needs ascending buckets`);
      }
      const series = createSeries(name, labelNames, () => ({ counts: buckets.map(() => 0), sum: 0, count: 0 }));
      return add<Histogram & Metric>(name, {
        observe(labels, value) {
          series.update(labels, (state) => {
            // Counted in the first bucket that holds it; render() makes them cumulative.
            const index = buckets.findIndex((bound) => value <= bound);
            if (index >= 0) state.counts[index] = (state.counts[index] ?? 0) + 1;
            state.sum += value;
            state.count += 1;
            return state;
          });
        },
        render() {
          const lines = [formatHeader(name, help, "histogram")];
          for (const [pairs, state] of series.entries()) {
            let cumulative = 0;
            buckets.forEach((bound, i) => {
              cumulative += state.counts[i] ?? 0;
              lines.push(formatSample(`${name}_bucket`, [...pairs, ["le", String(bound)]], cumulative));
            });
            lines.push(formatSample(`${name}_bucket`, [...pairs, ["le", "+Inf"]], state.count));
            lines.push(formatSample(`${name}_sum`, pairs, state.sum));
            lines.push(formatSample(`${name}_count`, pairs, state.count));
          }
          return lines.join("\n");
        },
      });
    },
    onScrape(collect) {
      collectors.push(collect);
    },
    async render() {
      await Promise.all(collectors.map((collect) => collect()));
      return `${[...metrics.values()].map((metric) => metric.render()).join("\n")}\n`;
    },
  };
}

interface Series<T> {
  update(labels: Labels, change: (value: T) => T): void;
  entries(): [Pairs, T][];
  clear(): void;
}

/** One value per combination of label values. A metric without labels always has its one series (at 0). */
function createSeries<T>(metricName: string, labelNames: readonly string[], initial: () => T): Series<T> {
  for (const label of labelNames)
    if (!LABEL_NAME.test(label)) throw new Error(`invalid label name ${label} on ${metricName}`);
  const values = new Map<string, { pairs: Pairs; value: T }>();
  const seed = (): void => {
    if (labelNames.length === 0) values.set("[]", { pairs: [], value: initial() });
  };
  seed();
  return {
    update(labels, change) {
      const given = Object.keys(labels);
      // A wrong label set is a bug in our code; failing loudly beats a series nobody queries.
      if (given.length !== labelNames.length || labelNames.some((label) => labels[label] === undefined)) {
        throw new Error(`${metricName} takes labels [${labelNames.join(", ")}], got [${given.join(", ")}]`);
      }
      const pairs: Pairs = labelNames.map((label) => [label, labels[label] ?? ""]);
      const key = JSON.stringify(pairs.map(([, value]) => value));
      const entry = values.get(key) ?? { pairs, value: initial() };
      entry.value = change(entry.value);
      values.set(key, entry);
    },
    entries: () => [...values.values()].map(({ pairs, value }) => [pairs, value]),
    clear() {
      values.clear();
      seed();
    },
  };
}

function renderSimple(name: string, help: string, type: MetricType, series: Series<number>): string {
  return [
    formatHeader(name, help, type),
    ...series.entries().map(([pairs, value]) => formatSample(name, pairs, value)),
  ].join("\n");
}
