import { Counter, Gauge, Histogram as PromHistogram, Registry, collectDefaultMetrics } from "prom-client";
import type { MatchPhase } from "../protocol/messages.ts";
import { BucketHistogram } from "./bucket-histogram.ts";
import { Histogram } from "./histogram.ts";

/**
 * Buckets (seconds) of the lockstep durations: tick lateness, frame fan-out, input-to-frame
 * delay and event-loop delay. Fine under a millisecond, where a healthy server is, up to the
 * 100 ms where a player sees a hitch.
 */
export const LOCKSTEP_SECONDS_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.05, 0.1];
/** Buckets (bytes) of a reload answer: a few frames to an hour of a busy match. */
export const RELOAD_BYTES_BUCKETS: readonly number[] = [1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216];
/** Buckets (seconds) of garbage-collection pauses. */
export const GC_SECONDS_BUCKETS: readonly number[] = [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1];
/** How often the event loop's delay is sampled into `lockstep_event_loop_delay_seconds`. */
export const EVENT_LOOP_SAMPLE_MS = 100;

/** A live room, read by the gauges when `/metrics` is scraped (never per frame). */
export interface RoomGaugeSource {
  read(): RoomGaugeReading;
}

/** What a live room tells the gauges. */
export interface RoomGaugeReading {
  /** The room type's name (a bounded label: never a room id or a user id). */
  readonly roomName: string;
  readonly phase: MatchPhase;
  /** Players whose connection is up, and those whose seat is held while they reconnect. */
  readonly playersConnected: number;
  readonly playersDropped: number;
  readonly spectators: number;
  /** Bytes of frames in the room's frame log. */
  readonly logBytes: number;
  /** Bytes written to the room's connections and not yet sent. */
  readonly sendQueueBytes: number;
}

/** Options of {@link LockstepMetrics}. */
export interface LockstepMetricsOptions {
  /**
   * The registry the metrics are registered in: the application's, so it serves them with its
   * own (`registry.metrics()`); by default a private one. Never prom-client's global registry.
   */
  readonly registry?: Registry;
  /**
   * Also register prom-client's default process metrics (CPU, memory, handles, GC pauses as
   * `nodejs_gc_duration_seconds`) and sample the event loop's delay into
   * `lockstep_event_loop_delay_seconds` (default true).
   */
  readonly processMetrics?: boolean;
  /**
   * Record the duration histograms (tick lateness, fan-out, input delay, reload size) on the
   * rooms' paths (default true). Off, only counters and gauges remain, updated at scrape time.
   */
  readonly durations?: boolean;
}

/** A counter exported from a number the rooms increment (`read`): at each scrape it catches up by the difference. */
function exportedCounter(registry: Registry, name: string, help: string, read: () => number): void {
  let exported = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const value = read();
      if (value > exported) this.inc(value - exported);
      exported = value;
    },
  });
}

/**
 * The metrics of every lockstep room of a process, for Prometheus. Rooms increment plain
 * numbers on their paths (a message, a frame) and record a few durations per tick; prom-client
 * sees them only when scraped: counters catch up then, gauges are read from the live rooms
 * then. Labels are bounded: room name and phase, an error code, a kick reason; never a room id
 * or a user id.
 */
export class LockstepMetrics {
  /** The registry that holds these metrics (the one given, or a private one). */
  readonly registry: Registry;
  /** How long after its deadline each frame closed (in ms, for the benchmark's windows; exported in seconds). */
  readonly tickLateness = new Histogram();
  framesClosed = 0;
  /** Frame messages sent (one per frame per connected client). */
  framesSent = 0;
  /** Payload bytes of those messages. */
  frameBytesSent = 0;
  actionsAccepted = 0;
  readonly actionsRefused = new Map<string, number>();
  matchesStarted = 0;
  matchesEnded = 0;
  /** Checksums accepted from players. */
  checksumsReceived = 0;
  /** Desyncs found (announced or, past a match's `maxDesyncReports`, only counted). */
  desyncs = 0;
  /** Desync reports written to the report store, and writes that failed. */
  desyncReportsStored = 0;
  desyncReportsFailed = 0;
  /** Replays written to the replay store; writes given up after every retry; replays not stored by rule (too large, frames missing, queue full). */
  replaysStored = 0;
  replaysFailed = 0;
  replaysRefused = 0;
  /** Snapshots verified and kept, and uploads refused. */
  snapshotsVerified = 0;
  snapshotsRefused = 0;
  /** Clients removed for good, by reason (`operator`: kicked by an operator; `abuse`: closed for refused messages). */
  readonly kicks = new Map<string, number>();

  readonly #rooms = new Set<RoomGaugeSource>();
  readonly #tickSeconds: BucketHistogram;
  readonly #fanoutSeconds: BucketHistogram;
  readonly #inputDelaySeconds: BucketHistogram;
  readonly #reloadBytes: BucketHistogram;
  readonly #durations: boolean;
  #eventLoopTimer: NodeJS.Timeout | undefined;

  constructor(options: LockstepMetricsOptions = {}) {
    const registry = options.registry ?? new Registry();
    this.registry = registry;
    this.#durations = options.durations ?? true;
    const counter = (name: string, help: string, read: () => number): void => exportedCounter(registry, name, help, read);
    counter("lockstep_frames_closed_total", "Frames closed.", () => this.framesClosed);
    counter("lockstep_frames_sent_total", "Frame messages sent to clients.", () => this.framesSent);
    counter("lockstep_frame_bytes_sent_total", "Payload bytes of frame messages sent.", () => this.frameBytesSent);
    counter("lockstep_actions_accepted_total", "Actions accepted into frames.", () => this.actionsAccepted);
    counter("lockstep_matches_started_total", "Matches started.", () => this.matchesStarted);
    counter("lockstep_matches_ended_total", "Matches ended.", () => this.matchesEnded);
    counter("lockstep_checksums_received_total", "State checksums accepted from players.", () => this.checksumsReceived);
    counter("lockstep_desyncs_total", "Desyncs found (players' state hashes disagreed).", () => this.desyncs);
    counter("lockstep_desync_reports_stored_total", "Desync reports written to the report store.", () => this.desyncReportsStored);
    counter("lockstep_desync_reports_failed_total", "Desync reports the report store could not write.", () => this.desyncReportsFailed);
    counter("lockstep_replays_stored_total", "Replays of finished matches written to the replay store.", () => this.replaysStored);
    counter("lockstep_replays_failed_total", "Replays the replay store could not write after every retry.", () => this.replaysFailed);
    counter("lockstep_replays_refused_total", "Replays not stored by rule (over the size bound, frames missing, write queue full).", () => this.replaysRefused);
    counter("lockstep_snapshots_verified_total", "Snapshots whose state hashed to what every player agreed on, kept.", () => this.snapshotsVerified);
    counter("lockstep_snapshots_refused_total", "Snapshot uploads refused (forged, broken, too large).", () => this.snapshotsRefused);
    this.#labelledCounter("lockstep_actions_refused_total", "Messages refused, by error code.", "code", this.actionsRefused);
    this.#labelledCounter("lockstep_kicks_total", "Clients removed for good, by reason.", "reason", this.kicks);
    this.#gauges(registry);
    // Observed on the rooms' paths (per frame, per action): prom-client's own observe allocates per call.
    const histogram = (name: string, help: string, buckets: readonly number[]): BucketHistogram => new BucketHistogram(registry, name, help, buckets);
    this.#tickSeconds = histogram("lockstep_tick_lateness_seconds", "How late frames closed after their deadline.", LOCKSTEP_SECONDS_BUCKETS);
    this.#fanoutSeconds = histogram(
      "lockstep_frame_fanout_seconds",
      "From a frame's timer firing to its bytes written to the last client (stored first, with a journal).",
      LOCKSTEP_SECONDS_BUCKETS,
    );
    this.#inputDelaySeconds = histogram(
      "lockstep_input_delay_seconds",
      "From an action's arrival to the close of the frame that carries it.",
      LOCKSTEP_SECONDS_BUCKETS,
    );
    this.#reloadBytes = histogram("lockstep_reload_bytes", "Bytes of a reload answer (frames a client asked for again).", RELOAD_BYTES_BUCKETS);
    if (options.processMetrics ?? true) this.#processMetrics(registry);
  }

  /** A room counts in the gauges from now until {@link removeRoom}. */
  addRoom(room: RoomGaugeSource): void {
    this.#rooms.add(room);
  }

  removeRoom(room: RoomGaugeSource): void {
    this.#rooms.delete(room);
  }

  refused(code: string): void {
    this.actionsRefused.set(code, (this.actionsRefused.get(code) ?? 0) + 1);
  }

  kicked(reason: string): void {
    this.kicks.set(reason, (this.kicks.get(reason) ?? 0) + 1);
  }

  /** A frame closed `lateMs` after its deadline (once per tick). */
  recordTick(lateMs: number): void {
    this.framesClosed++;
    this.tickLateness.record(lateMs);
    if (this.#durations) this.#tickSeconds.observe(Math.max(0, lateMs) / 1000);
  }

  /** A frame reached its last client `ms` after its timer fired (once per frame). */
  recordFanout(ms: number): void {
    if (this.#durations) this.#fanoutSeconds.observe(Math.max(0, ms) / 1000);
  }

  /** An action waited `ms` from its arrival to the close of its frame (at the close, once per action). */
  recordInputDelay(ms: number): void {
    if (this.#durations) this.#inputDelaySeconds.observe(Math.max(0, ms) / 1000);
  }

  /** A reload answer of `bytes` went out in full. */
  recordReload(bytes: number): void {
    if (this.#durations) this.#reloadBytes.observe(bytes);
  }

  /** The Prometheus text exposition of the registry (these metrics and whatever else the application put in it). */
  toPrometheus(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type to serve {@link toPrometheus} with. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Stops sampling the event loop (a process that closes its server). */
  stop(): void {
    clearInterval(this.#eventLoopTimer);
    this.#eventLoopTimer = undefined;
  }

  #labelledCounter(name: string, help: string, label: string, values: ReadonlyMap<string, number>): void {
    const exported = new Map<string, number>();
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect() {
        for (const [key, value] of values) {
          const before = exported.get(key) ?? 0;
          if (value > before) this.inc({ [label]: key }, value - before);
          exported.set(key, value);
        }
      },
    });
  }

  /** Gauges read from the live rooms at scrape time, summed by room name (and phase). */
  #gauges(registry: Registry): void {
    const rooms = this.#rooms;
    const readAll = (): RoomGaugeReading[] => [...rooms].map((room) => room.read());
    new Gauge({
      name: "lockstep_rooms",
      help: "Lockstep rooms on this process, by room name and phase.",
      labelNames: ["room", "phase"],
      registers: [registry],
      collect() {
        this.reset();
        for (const room of readAll()) this.inc({ room: room.roomName, phase: room.phase });
      },
    });
    const sum = (name: string, help: string, pick: (room: RoomGaugeReading) => number, running = false): void => {
      new Gauge({
        name,
        help,
        labelNames: ["room"],
        registers: [registry],
        collect() {
          this.reset();
          for (const room of readAll()) if (!running || room.phase === "running") this.inc({ room: room.roomName }, pick(room));
        },
      });
    };
    sum("lockstep_matches_running", "Matches running on this process, by room name.", () => 1, true);
    sum("lockstep_players_connected", "Players connected to this process's rooms.", (room) => room.playersConnected);
    sum("lockstep_players_dropped", "Players whose seat is held while they reconnect.", (room) => room.playersDropped);
    sum("lockstep_spectators", "Spectators watching this process's rooms.", (room) => room.spectators);
    sum("lockstep_frame_log_bytes", "Bytes of frames held in the rooms' frame logs.", (room) => room.logBytes);
    sum("lockstep_send_queue_bytes", "Bytes written to the rooms' connections and not sent yet.", (room) => room.sendQueueBytes);
  }

  /** prom-client's process metrics, and the event loop's delay as a histogram (prom-client gives only percentiles of it). */
  #processMetrics(registry: Registry): void {
    collectDefaultMetrics({ register: registry, gcDurationBuckets: [...GC_SECONDS_BUCKETS] });
    const delay = new PromHistogram({
      name: "lockstep_event_loop_delay_seconds",
      help: `How late a ${EVENT_LOOP_SAMPLE_MS} ms timer fired: the event loop's delay, which every frame timer on this process feels.`,
      buckets: [...LOCKSTEP_SECONDS_BUCKETS],
      registers: [registry],
    });
    let expected = performance.now() + EVENT_LOOP_SAMPLE_MS;
    this.#eventLoopTimer = setInterval(() => {
      const now = performance.now();
      delay.observe(Math.max(0, now - expected) / 1000);
      expected = now + EVENT_LOOP_SAMPLE_MS;
    }, EVENT_LOOP_SAMPLE_MS);
    this.#eventLoopTimer.unref();
  }
}
