import type { Client } from "@colyseus/core";
import type { PlayerIdentity } from "./roster.ts";

/** Role of players whose auth data names none (open rooms, custom auth). */
export const DEFAULT_ROLE = "player";

/** True if a client's auth data identifies a user (a verified token's `id`). */
export function isAuthenticated(auth: unknown): boolean {
  const id = (auth as { id?: unknown } | undefined)?.id;
  return (typeof id === "string" && id !== "") || typeof id === "number";
}

/** Display names are cut to this length: they are shown in lobbies, not stored as identities. */
export const MAX_NAME_LENGTH = 32;

/**
 * The default identity of a joining client. The uid and role come from the verified auth data
 * (`id`, `uid` or `userId`; `role`) or, in open rooms, from the Colyseus session: never from
 * the join options or any message, which the client controls. A display name comes from the
 * auth data, or else from the options.
 */
export function defaultIdentity(client: Client, options: unknown, auth: unknown): PlayerIdentity {
  const authData = (auth ?? {}) as Record<string, unknown>;
  const authId = authData.id ?? authData.uid ?? authData.userId;
  const uid = typeof authId === "string" || typeof authId === "number" ? String(authId) : client.sessionId;
  const authName = authData.name ?? authData.username ?? authData.displayName;
  const optionName = (options as Record<string, unknown> | undefined)?.name;
  const name = typeof authName === "string" ? authName : typeof optionName === "string" ? optionName : "";
  const role = typeof authData.role === "string" ? authData.role : DEFAULT_ROLE;
  return { uid, name: sanitizeName(name), role };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** Trims a display name, drops control characters and bounds its length. */
export function sanitizeName(name: string): string {
  return name.replace(CONTROL_CHARACTERS, "").trim().slice(0, MAX_NAME_LENGTH);
}
