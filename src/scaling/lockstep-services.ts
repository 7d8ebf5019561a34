import type { IRoomCache } from "@colyseus/core";
import type { LockstepMetrics } from "../lockstep/metrics.ts";
import type { PhaseBalancer } from "../lockstep/phase-balancer.ts";
import type { SeatRegistry } from "../lockstep/seat-registry.ts";
import type { JournalOptions } from "./match-journal.ts";
import type { MatchStore, StoredMatch } from "./match-store.ts";

/**
 * Key of the room definition options that carry a process's {@link LockstepServices} to its
 * rooms (Colyseus merges definition options over client options, so a client cannot set it).
 */
export const LOCKSTEP_SERVICES = "~lockstepServices";

/** Key of the creation option naming a match to resume: a one-time nonce known only to this process. */
export const LOCKSTEP_RESUME = "~lockstepResume";

/** A match handed to the room that resumes it. */
export interface ResumeTicket {
  readonly stored: StoredMatch;
  /**
   * Resolves with the room's listing once Colyseus has listed the room under its id (only
   * after `onCreate`: anything that updates the listing, such as `lock()`, must wait for it);
   * rejects if the room was not created.
   */
  readonly listed: Promise<IRoomCache>;
}

/** What a process gives its lockstep rooms. Without a match store, matches live and die with their process. */
export interface LockstepServices {
  readonly matchStore?: MatchStore;
  /** How the rooms' journals behave (outage limit). */
  readonly journal?: JournalOptions;
  /** Spreads the rooms' frame deadlines over the period (one per process). */
  readonly phases?: PhaseBalancer;
  /** The process's rooms and the seats accounts hold (limits on rooms per process and matches per account). */
  readonly seats?: SeatRegistry;
  /** Counters and tick timing of every room of the process. */
  readonly metrics?: LockstepMetrics;
  /** Hands a claimed match to the room resuming it (by nonce). */
  takeResume?(nonce: string): ResumeTicket | undefined;
}
