import type { MatchPhase } from "../protocol/messages.ts";
import { Histogram } from "./histogram.ts";

/** A live room, read by the gauges at scrape time (never per frame). */
export interface RoomGaugeSource {
  read(): RoomGaugeReading;
}

/** What a live room tells the gauges. */
export interface RoomGaugeReading {
  readonly phase: MatchPhase;
  /** Players whose connection is up, and those whose seat is held while they reconnect. */
  readonly playersConnected: number;
  readonly playersDropped: number;
  readonly spectators: number;
}

/** A value as Prometheus text: integers as they are, others to a microsecond's precision (no `0.7000000000000001`). */
function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
}

/**
 * Counters of every lockstep room of a process: frames closed and how late, frames and bytes
 * sent, actions accepted and refused. Shared by the rooms through their services; rendered
 * for Prometheus at `/metrics`.
 */
export class LockstepMetrics {
  /** How long after its deadline each frame closed. */
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

  /** The live rooms of this process, for the gauges. */
  readonly #rooms = new Set<RoomGaugeSource>();

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

  /** The Prometheus text exposition of these metrics. */
  toPrometheus(): string {
    const lines: string[] = [];
    const counter = (name: string, help: string, value: number, labels = ""): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name}${labels} ${formatValue(value)}`);
    };
    const phases: Record<MatchPhase, number> = { waiting: 0, running: 0, ended: 0 };
    let connected = 0;
    let dropped = 0;
    let spectators = 0;
    for (const source of this.#rooms) {
      const room = source.read();
      phases[room.phase]++;
      connected += room.playersConnected;
      dropped += room.playersDropped;
      spectators += room.spectators;
    }
    lines.push("# HELP lockstep_rooms Lockstep rooms on this process, by phase.", "# TYPE lockstep_rooms gauge");
    for (const [phase, count] of Object.entries(phases)) lines.push(`lockstep_rooms{phase="${phase}"} ${count}`);
    const gauge = (name: string, help: string, value: number): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${formatValue(value)}`);
    };
    gauge("lockstep_matches_running", "Matches running on this process.", phases.running);
    gauge("lockstep_players_connected", "Players connected to this process's rooms.", connected);
    gauge("lockstep_players_dropped", "Players whose seat is held while they reconnect.", dropped);
    gauge("lockstep_spectators", "Spectators watching this process's rooms.", spectators);
    counter("lockstep_frames_closed_total", "Frames closed.", this.framesClosed);
    counter("lockstep_frames_sent_total", "Frame messages sent to clients.", this.framesSent);
    counter("lockstep_frame_bytes_sent_total", "Payload bytes of frame messages sent.", this.frameBytesSent);
    counter("lockstep_actions_accepted_total", "Actions accepted into frames.", this.actionsAccepted);
    counter("lockstep_matches_started_total", "Matches started.", this.matchesStarted);
    counter("lockstep_matches_ended_total", "Matches ended.", this.matchesEnded);
    counter("lockstep_checksums_received_total", "State checksums accepted from players.", this.checksumsReceived);
    counter("lockstep_desyncs_total", "Desyncs found (players' state hashes disagreed).", this.desyncs);
    counter("lockstep_desync_reports_stored_total", "Desync reports written to the report store.", this.desyncReportsStored);
    counter("lockstep_desync_reports_failed_total", "Desync reports the report store could not write.", this.desyncReportsFailed);
    counter("lockstep_replays_stored_total", "Replays of finished matches written to the replay store.", this.replaysStored);
    counter("lockstep_replays_failed_total", "Replays the replay store could not write after every retry.", this.replaysFailed);
    counter("lockstep_replays_refused_total", "Replays not stored by rule (over the size bound, frames missing, write queue full).", this.replaysRefused);
    lines.push("# HELP lockstep_actions_refused_total Messages refused, by error code.", "# TYPE lockstep_actions_refused_total counter");
    for (const [code, count] of this.actionsRefused) lines.push(`lockstep_actions_refused_total{code="${code}"} ${count}`);
    const lateness = this.tickLateness;
    lines.push("# HELP lockstep_tick_lateness_ms How late frames closed after their deadline.", "# TYPE lockstep_tick_lateness_ms summary");
    for (const q of [0.5, 0.99]) lines.push(`lockstep_tick_lateness_ms{quantile="${q}"} ${formatValue(lateness.percentile(q))}`);
    lines.push(`lockstep_tick_lateness_ms_sum ${formatValue(lateness.mean * lateness.count)}`, `lockstep_tick_lateness_ms_count ${lateness.count}`);
    lines.push(`lockstep_tick_lateness_ms_max ${formatValue(lateness.max)}`);
    return `${lines.join("\n")}\n`;
  }
}
