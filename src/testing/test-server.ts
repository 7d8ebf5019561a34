import type { Server } from "@colyseus/core";
// The test server alone: the package index also loads @colyseus/tools, which reads .env files.
import { ColyseusTestServer } from "@colyseus/testing/TestServer";
import { createLockstepServer, type LockstepServer, type RoomClass } from "../server/create-server.ts";
import type { AdmissionLimits, TokenVerifier } from "../server/room-admission.ts";
import { ManualClocks } from "./manual-clock.ts";
import { TestClient } from "./test-client.ts";
import { TestMatch, type AnyLockstepRoom } from "./test-match.ts";
import { testToken, testTokenVerifier } from "./test-tokens.ts";

/** Options of {@link bootLockstep}. */
export interface LockstepTestOptions {
  /** Room classes by name, as for `createLockstepServer`. */
  readonly rooms: Readonly<Record<string, RoomClass>>;
  /** How tokens are checked (default: {@link testTokenVerifier}, which takes the kit's own test tokens). */
  readonly auth?: TokenVerifier;
  /** Matchmaking limits (default: the server's). */
  readonly limits?: Partial<AdmissionLimits>;
}

/** How players join in {@link LockstepTestServer.createMatch}. */
export interface TestJoinOptions {
  /** How many players join (default 2). */
  readonly players?: number;
  /** Join options, for every player. */
  readonly options?: Record<string, unknown>;
  /** Each player's login token (default: a test token for `player-1`, `player-2`, …). */
  readonly tokens?: readonly string[];
}

/**
 * A real lockstep server for a game's own tests: a Colyseus server on a free loopback port,
 * driven through `@colyseus/testing`, whose rooms' frame clocks run only when a test advances
 * them. One per process at a time (Colyseus's matchmaker is process-wide).
 */
export class LockstepTestServer {
  /** `@colyseus/testing`'s server: `createRoom`, `connectTo`, `getRoomById`, `sdk`, `http`. */
  readonly colyseus: ColyseusTestServer;
  readonly #server: LockstepServer;
  readonly #clocks: ManualClocks;

  constructor(server: LockstepServer, clocks: ManualClocks) {
    this.#server = server;
    this.#clocks = clocks;
    // `@colyseus/testing` builds its client URL from Server#port, the number `listen` was given
    // (0 here): point it at the port actually bound.
    (server.server as unknown as { port: number }).port = server.port;
    this.colyseus = new ColyseusTestServer(server.server as Server);
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return this.#server.url;
  }

  /** Creates a room of `roomName` and has `players` players join it (they are not ready yet: see `TestMatch.start`). */
  async createMatch<R extends AnyLockstepRoom = AnyLockstepRoom>(roomName: string, join: TestJoinOptions = {}): Promise<TestMatch<R>> {
    const room = await this.colyseus.createRoom<R>(roomName, join.options ?? {});
    const count = join.players ?? 2;
    const players: TestClient<never>[] = [];
    for (let i = 0; i < count; i++) players.push(await this.join(room, join.tokens?.[i] ?? testToken(`player-${i + 1}`), join.options));
    return new TestMatch<R>(room, players as never, this.#clocks.of(room.roomId));
  }

  /** {@link createMatch}, then every player says ready and the match starts. */
  async startMatch<R extends AnyLockstepRoom = AnyLockstepRoom>(roomName: string, join: TestJoinOptions = {}): Promise<TestMatch<R>> {
    const match = await this.createMatch<R>(roomName, join);
    await match.start();
    return match;
  }

  /** One more player joins `room` with `token`. */
  async join<TAction = unknown>(room: AnyLockstepRoom, token: string, options: Record<string, unknown> = {}): Promise<TestClient<TAction>> {
    this.colyseus.sdk.auth.token = token;
    const client = new TestClient<TAction>(await this.colyseus.connectTo(room, options));
    await client.infos.wait();
    return client;
  }

  /** Disconnects every room and closes the server. */
  async shutdown(): Promise<void> {
    await this.colyseus.cleanup();
    await this.#server.close();
  }
}

/** Starts a {@link LockstepTestServer} with `options.rooms`. */
export async function bootLockstep(options: LockstepTestOptions): Promise<LockstepTestServer> {
  const clocks = new ManualClocks();
  const server = await createLockstepServer({
    rooms: options.rooms,
    port: 0,
    host: "127.0.0.1",
    auth: options.auth ?? testTokenVerifier,
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
    // No phase balancing: a test's frames close when it says, not in a slot of the period.
    services: { frameClock: (roomId) => clocks.of(roomId), phases: undefined },
  });
  return new LockstepTestServer(server, clocks);
}
