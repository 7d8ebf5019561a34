import assert from "node:assert/strict";

/** One sample of a Prometheus text exposition. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A parsed exposition: the samples, and each metric family's declared type. */
export interface Exposition {
  readonly samples: readonly Sample[];
  readonly types: ReadonlyMap<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses Prometheus text format 0.0.4, failing (with the line) on anything that is not a comment, a blank or a well-formed sample. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ")) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type !== null) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const match = SAMPLE.exec(line);
    assert.ok(match !== null, `not a sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? "").matchAll(LABEL)) labels[label[1]!] = label[2]!;
    // Prometheus reads values as Go's ParseFloat does: "+Inf", "-Inf" and NaN in any case ("Nan" from prom-client before its first sample).
    const literal = match[3]!;
    const value = /^\+?inf$/i.test(literal) ? Number.POSITIVE_INFINITY : /^-inf$/i.test(literal) ? Number.NEGATIVE_INFINITY : Number(literal);
    assert.ok(!Number.isNaN(value) || /^nan$/i.test(literal), `not a number: ${line}`);
    samples.push({ name: match[1]!, labels, value });
  }
  return { samples, types };
}

/** The samples of `name` whose labels include `labels`. */
export function samplesOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
}

/** The sum of the values of `name` (with `labels`), 0 if none. */
export function total(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  return samplesOf(exposition, name, labels).reduce((sum, sample) => sum + sample.value, 0);
}

/** A histogram's buckets (upper bound → cumulative count), count and sum. */
export interface HistogramSamples {
  readonly buckets: ReadonlyMap<number, number>;
  readonly count: number;
  readonly sum: number;
}

/** Histogram `name` of an exposition (one series: without labels). */
export function histogramOf(exposition: Exposition, name: string): HistogramSamples {
  assert.equal(exposition.types.get(name), "histogram", `${name} is a histogram`);
  const buckets = new Map<number, number>();
  for (const sample of samplesOf(exposition, `${name}_bucket`))
    buckets.set(sample.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(sample.labels.le), sample.value);
  return { buckets, count: total(exposition, `${name}_count`), sum: total(exposition, `${name}_sum`) };
}

/** Fails unless the buckets are cumulative (never decreasing with `le`), end at +Inf, and +Inf equals the count. */
export function assertValidHistogram(histogram: HistogramSamples, what: string): void {
  const bounds = [...histogram.buckets.keys()].sort((a, b) => a - b);
  assert.equal(bounds.at(-1), Number.POSITIVE_INFINITY, `${what}: a +Inf bucket`);
  let previous = 0;
  for (const bound of bounds) {
    const count = histogram.buckets.get(bound)!;
    assert.ok(count >= previous, `${what}: bucket le=${bound} (${count}) below the previous (${previous})`);
    previous = count;
  }
  assert.equal(histogram.buckets.get(Number.POSITIVE_INFINITY), histogram.count, `${what}: +Inf bucket equals _count`);
  assert.ok(histogram.sum >= 0, `${what}: _sum`);
}

/** Two processes' histograms added bucket by bucket: what a cluster-wide query (`sum by (le)`) computes. */
export function addHistograms(a: HistogramSamples, b: HistogramSamples): HistogramSamples {
  const buckets = new Map<number, number>();
  for (const bound of new Set([...a.buckets.keys(), ...b.buckets.keys()])) buckets.set(bound, (a.buckets.get(bound) ?? 0) + (b.buckets.get(bound) ?? 0));
  return { buckets, count: a.count + b.count, sum: a.sum + b.sum };
}
