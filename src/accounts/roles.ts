/** Roles a user can have. */
export const Role = {
  PLAYER: "player",
  ADMIN: "admin",
} as const;

/** One of {@link Role}'s values. */
export type Role = (typeof Role)[keyof typeof Role];

/** What a role allows. */
export const Permission = {
  /** Join token-gated rooms. */
  PLAY: "play",
  /** Open the monitor dashboard. */
  MONITOR: "monitor",
  /** Grant and revoke roles, inspect users. */
  MANAGE_USERS: "manage_users",
  /** Inspect, end and kick from running matches (on any process). */
  MANAGE_MATCHES: "manage_matches",
} as const;

/** One of {@link Permission}'s values. */
export type Permission = (typeof Permission)[keyof typeof Permission];

const PERMISSIONS_BY_ROLE: Readonly<Record<Role, readonly Permission[]>> = {
  player: [Permission.PLAY],
  admin: [Permission.PLAY, Permission.MONITOR, Permission.MANAGE_USERS, Permission.MANAGE_MATCHES],
};

/** True if a role (e.g. the `role` claim of a verified token) grants `permission`. */
export function hasPermission(role: unknown, permission: Permission): boolean {
  return typeof role === "string" && role in PERMISSIONS_BY_ROLE && PERMISSIONS_BY_ROLE[role as Role].includes(permission);
}

/** True if `value` is a known role. */
export function isRole(value: unknown): value is Role {
  return value === Role.PLAYER || value === Role.ADMIN;
}
