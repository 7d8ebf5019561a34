import type { Metric, Registry } from "prom-client";

/** One exported sample, in the shape prom-client's registry formats (`MetricValueWithName`). */
interface HistogramSample {
  readonly value: number;
  readonly labels: { readonly le?: number | string };
  readonly metricName: string;
}

/**
 * A label-less Prometheus histogram whose `observe` is a bucket search and three additions on
 * typed arrays: no allocation, no label hashing. prom-client's own `Histogram#observe` builds a
 * closure, a label object and a hash per call, which is what the rooms' paths cannot afford
 * once per frame and once per action (thousands of times a second in a busy process).
 *
 * It is registered with a prom-client `Registry` through the registry's metric interface
 * (`name`, `help`, `type`, `aggregator`, `get()`, `reset()`), and exports exactly what a
 * prom-client histogram with the same name and buckets would: cumulative `_bucket` samples
 * with `le`, `+Inf`, `_sum` and `_count`.
 */
export class BucketHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly #bounds: Float64Array;
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  constructor(registry: Registry, name: string, help: string, buckets: readonly number[]) {
    const sorted = [...buckets].sort((a, b) => a - b);
    if (sorted.length === 0 || sorted.some((bound, i) => !Number.isFinite(bound) || (i > 0 && bound === sorted[i - 1]))) {
      throw new RangeError(`histogram ${name}: buckets must be distinct finite numbers`);
    }
    this.name = name;
    this.help = help;
    this.#bounds = Float64Array.from(sorted);
    this.#counts = new Float64Array(sorted.length + 1);
    // The registry reads metrics through this interface; prom-client types it as its own classes' union.
    registry.registerMetric(this as unknown as Metric);
  }

  /** Counts one observation (NaN and infinities are ignored: they would poison `_sum`). */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const bounds = this.#bounds;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
    this.#counts[bucket]!++;
    this.#sum += value;
    this.#count++;
  }

  /** Observations so far. */
  get count(): number {
    return this.#count;
  }

  /** Called by the registry's `resetMetrics()`. */
  reset(): void {
    this.#counts.fill(0);
    this.#sum = 0;
    this.#count = 0;
  }

  /** Called by the registry at each scrape. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: HistogramSample[] }> {
    const values: HistogramSample[] = [];
    const bucketName = `${this.name}_bucket`;
    let cumulative = 0;
    for (let i = 0; i < this.#bounds.length; i++) {
      cumulative += this.#counts[i]!;
      values.push({ value: cumulative, labels: { le: this.#bounds[i]! }, metricName: bucketName });
    }
    values.push({ value: this.#count, labels: { le: "+Inf" }, metricName: bucketName });
    values.push({ value: this.#sum, labels: {}, metricName: `${this.name}_sum` });
    values.push({ value: this.#count, labels: {}, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
