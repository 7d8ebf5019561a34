/** Roles a user can have. */
export const Role = {
  PLAYER: "player",
  ADMIN: "admin",
} as const;

/** One of {@link Role}'s values. */
export type Role = (typeof Role)[keyof typeof Role];

/** What a role allows beyond playing (any verified user may join token-gated rooms). */
export const Permission = {
  /** Open the monitor dashboard and read `/metrics`. */
  MONITOR: "monitor",
  /** Inspect, end and kick from running matches (on any process). */
  MANAGE_MATCHES: "manage_matches",
  /** List, download and delete every stored replay, not only those of matches one played in or public ones. */
  MANAGE_REPLAYS: "manage_replays",
} as const;

/** One of {@link Permission}'s values. */
export type Permission = (typeof Permission)[keyof typeof Permission];

const PERMISSIONS_BY_ROLE: Readonly<Record<Role, readonly Permission[]>> = {
  player: [],
  admin: [Permission.MONITOR, Permission.MANAGE_MATCHES, Permission.MANAGE_REPLAYS],
};

/** True if a role (e.g. the `role` claim of a verified token) grants `permission`. */
export function hasPermission(role: unknown, permission: Permission): boolean {
  return typeof role === "string" && role in PERMISSIONS_BY_ROLE && PERMISSIONS_BY_ROLE[role as Role].includes(permission);
}
