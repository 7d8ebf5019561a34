import type { AdmissionLimits } from "colyseus-lockstep";
import type { ArenaSettings } from "./arena-room.ts";

/** Environment variables that set each matchmaking limit (see the README's Environment table). */
const VARIABLES: Readonly<Record<keyof AdmissionLimits, string>> = {
  maxRoomsPerProcess: "MAX_ROOMS_PER_PROCESS",
  maxMatchesPerAccount: "MAX_MATCHES_PER_ACCOUNT",
  matchmakingPerAccountPerMinute: "MATCHMAKING_PER_ACCOUNT_PER_MINUTE",
  matchmakingPerAddressPerMinute: "MATCHMAKING_PER_ADDRESS_PER_MINUTE",
};

/** The limits set in the environment (unset ones keep their defaults). Throws, naming the variable, on a value that is not a positive integer. */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<AdmissionLimits> {
  const limits: Partial<Record<keyof AdmissionLimits, number>> = {};
  for (const [limit, variable] of Object.entries(VARIABLES) as [keyof AdmissionLimits, string][]) {
    const raw = env[variable];
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${variable} must be a positive integer, got "${raw}"`);
    limits[limit] = value;
  }
  return limits;
}

/** The replay archive's settings from REPLAY_RETENTION_DAYS (0 keeps replays forever) and MAX_REPLAY_BYTES; unset ones keep their defaults. */
export function replayArchiveFromEnv(env: NodeJS.ProcessEnv = process.env): { retentionDays?: number; maxReplayBytes?: number } {
  const settings: { retentionDays?: number; maxReplayBytes?: number } = {};
  const retention = env.REPLAY_RETENTION_DAYS;
  if (retention !== undefined && retention !== "") {
    const value = Number(retention);
    if (!(Number.isFinite(value) && value >= 0))
      throw new Error(`REPLAY_RETENTION_DAYS must be 0 (keep forever) or a positive number of days, got "${retention}"`);
    settings.retentionDays = value;
  }
  const maxBytes = env.MAX_REPLAY_BYTES;
  if (maxBytes !== undefined && maxBytes !== "") {
    const value = Number(maxBytes);
    if (!Number.isInteger(value) || value < 1) throw new Error(`MAX_REPLAY_BYTES must be a positive integer, got "${maxBytes}"`);
    settings.maxReplayBytes = value;
  }
  return settings;
}

/** The arena's settings from SNAPSHOT_INTERVAL_FRAMES (0 turns snapshots off); unset ones keep the room's own. */
export function arenaSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ArenaSettings {
  const raw = env.SNAPSHOT_INTERVAL_FRAMES;
  if (raw === undefined || raw === "") return {};
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`SNAPSHOT_INTERVAL_FRAMES must be 0 (no snapshots) or a positive integer, got "${raw}"`);
  return { snapshotIntervalFrames: value };
}
