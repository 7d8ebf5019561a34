import type { Client } from "@colyseus/sdk";
import { readableAuthMessage } from "./auth-messages.ts";

/** A user as the server's auth routes describe it. */
export interface AuthUser {
  readonly id: string;
  readonly email: string | null;
  readonly name: string;
  readonly role: string;
  readonly anonymous: boolean;
}

/** A logged-in session: the user and the token that proves it. */
export interface AuthSession {
  readonly user: AuthUser;
  readonly token: string;
}

/** A refused auth request: the HTTP status and the server's error code (e.g. `invalid_credentials`). */
export class AuthError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "AuthError";
    this.status = status;
    this.code = code;
  }
}

/** Calls the server's `/auth` routes with one client's own token (never a token shared across clients). */
export class AccountApi {
  readonly #client: Client;
  #user: AuthUser | undefined;

  constructor(client: Client) {
    this.#client = client;
  }

  get token(): string | undefined {
    return this.#client.auth.token;
  }

  set token(token: string | undefined) {
    this.#client.auth.token = token as string;
    if (token === undefined) this.#user = undefined;
  }

  get user(): AuthUser | undefined {
    return this.#user;
  }

  async session(path: string, body: object | undefined): Promise<AuthSession> {
    const data = await this.post<{ user: AuthUser; token: string }>(path, body);
    this.token = data.token;
    this.#user = data.user;
    return { user: data.user, token: data.token };
  }

  async post<T>(path: string, body: object | undefined): Promise<T> {
    try {
      const response = await (this.#client.http as unknown as { post(path: string, options: object): Promise<{ data: T }> }).post(
        path,
        body === undefined ? {} : { body },
      );
      return response.data;
    } catch (error) {
      const failure = error as { code?: number; status?: number; message?: string; data?: { error?: string; code?: string; message?: string } };
      const status = failure.status ?? failure.code ?? 0;
      const data = typeof failure.data === "object" && failure.data !== null ? failure.data : undefined;
      // Our routes answer { error, message }; @colyseus/auth's validation answers { code: "VALIDATION_ERROR", message }.
      const code = data?.error ?? data?.code ?? (typeof failure.data === "string" ? "error" : "network_error");
      throw new AuthError(status, code, readableAuthMessage(data?.message ?? failure.message ?? code));
    }
  }
}
