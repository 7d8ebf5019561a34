import assert from "node:assert/strict";
import pg from "pg";
import { LockstepClient, type LockstepFrame, type LockstepMatch } from "../../client-sdk/src/index.ts";
import type { ArenaAction } from "../../demo/arena-room.ts";
import { BinaryMessage, frameNumberOf } from "../../src/protocol/index.ts";
import { freePort } from "./free-port.ts";
import { ClusterNode } from "./cluster.ts";
import { call } from "./http.ts";
import { TEST_DATABASE_URL, dropSchema, uniqueSchema } from "./postgres.ts";

const ADMIN = { email: "ops@example.com", password: "cluster-admin" };

/** A frame as it arrived on the wire, before the SDK dropped duplicates. */
export interface WireFrame {
  readonly frame: number;
  readonly hex: string;
}

/** Every frame a player's match delivered, every frame that reached its socket, and a way to wait for one. */
export interface Recording {
  readonly frames: LockstepFrame<ArenaAction>[];
  readonly wire: WireFrame[];
  /** Close codes of the player's connections, in order. */
  readonly closes: number[];
  waitFor(frame: number, timeoutMs?: number): Promise<void>;
}

/** Two players, on different processes, in one running match. */
export interface Pair {
  readonly a: LockstepMatch<ArenaAction>;
  readonly b: LockstepMatch<ArenaAction>;
  readonly ra: Recording;
  readonly rb: Recording;
}

/** Records what `match` delivers, and every frame its socket receives (re-hooked on each reconnection). */
export function record(match: LockstepMatch<ArenaAction>): Recording {
  const frames: LockstepFrame<ArenaAction>[] = [];
  const wire: WireFrame[] = [];
  const closes: number[] = [];
  const waiting: { frame: number; resolve: () => void }[] = [];
  const hookWire = (): void => {
    match.room.onMessage(BinaryMessage.SYNC_FRAME, (bytes: Uint8Array) => {
      wire.push({ frame: frameNumberOf(bytes), hex: Buffer.from(bytes).toString("hex") });
    });
    match.room.onLeave((code: number) => closes.push(code));
  };
  hookWire();
  match.onReconnect(hookWire);
  match.onFrame((frame) => {
    frames.push(frame);
    for (const waiter of waiting.filter((candidate) => frame.frame >= candidate.frame)) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const waitFor = (frame: number, timeoutMs = 30_000): Promise<void> =>
    frames.some((delivered) => delivered.frame >= frame)
      ? Promise.resolve()
      : new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`frame ${frame} not delivered (last: ${frames.at(-1)?.frame})`)), timeoutMs);
          waiting.push({
            frame,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          });
        });
  return { frames, wire, closes, waitFor };
}

/** True if the delivered frames are numbered 0, 1, 2, … with nothing missing or repeated. */
export const consecutiveFromZero = (frames: readonly LockstepFrame<unknown>[]): boolean => frames.every((frame, index) => frame.frame === index);

/** Frame numbers that reached a socket more than once with different bytes (a rewritten history). */
export function contradictions(wire: readonly WireFrame[]): number[] {
  const seen = new Map<number, string>();
  const contradicted = new Set<number>();
  for (const { frame, hex } of wire) {
    const earlier = seen.get(frame);
    if (earlier !== undefined && earlier !== hex) contradicted.add(frame);
    seen.set(frame, hex);
  }
  return [...contradicted];
}

/** Moves, one per frame seen, until `count` moves of this player are in its own stream. */
export async function play(match: LockstepMatch<ArenaAction>, recorded: Recording, count: number): Promise<void> {
  const mine = (): number => recorded.frames.flatMap((frame) => frame.actions).filter((entry) => entry.slot === match.you!.slot).length;
  const target = mine() + count;
  while (mine() < target) {
    match.sendAction({ type: "move", dx: mine() % 2 === 0 ? 1 : -1, dy: 0 });
    await recorded.waitFor((match.lastFrame ?? 0) + 2);
  }
}

/** Resolves when both players of a pair are connected again (after a hand-over or a recovery). */
export function bothReconnected(pair: Pair): Promise<void> {
  const once = (match: LockstepMatch<ArenaAction>): Promise<void> => new Promise((resolve) => match.onReconnect(() => resolve()));
  return Promise.all([once(pair.a), once(pair.b)]).then(() => undefined);
}

/** Longest a test waits for a consented leave to be acknowledged while tearing down. */
const LEAVE_TIMEOUT_MS = 2000;

/** Leaves a match (which also stops its reconnection attempts), without waiting long for a server that may be gone. */
function leaveQuietly(match: LockstepMatch<ArenaAction>): Promise<unknown> {
  return Promise.race([match.leave().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, LEAVE_TIMEOUT_MS).unref())]);
}

/** A room as `GET /admin/rooms` lists it. */
export interface AdminListing {
  readonly roomId: string;
  readonly name: string;
  readonly processId: string;
  readonly publicAddress: string;
  readonly clients: number;
  readonly hostedHere: boolean;
}

/** What one process answers on `GET /admin/rooms`. */
export interface AdminRooms {
  readonly processId: string;
  readonly local: { readonly roomCount: number; readonly ccu: number };
  readonly processes: readonly { readonly processId: string; readonly roomCount: number; readonly ccu: number }[];
  readonly rooms: readonly AdminListing[];
}

/**
 * Real processes (`demo/main.ts`) sharing Redis and a fresh PostgreSQL schema, with an admin
 * account for the cross-process routes. Each node may reach Redis at its own URL (through a
 * fault-injecting proxy, or a private server).
 */
export class TestCluster {
  readonly nodes: ClusterNode[];
  readonly #schema: string;
  readonly #matches: LockstepMatch<ArenaAction>[] = [];
  #adminToken = "";

  private constructor(nodes: ClusterNode[], schema: string) {
    this.nodes = nodes;
    this.#schema = schema;
  }

  /** Starts one process per Redis URL (one at a time: the user-store migration runs once either way). */
  static async start(redisUrls: readonly string[], env: Record<string, string> = {}): Promise<TestCluster> {
    const schema = uniqueSchema();
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.end();
    const shared = {
      DATABASE_URL: `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      JWT_SECRET: "cluster-test-secret-with-enough-characters",
      ADMIN_EMAILS: ADMIN.email,
      AUTH_REQUESTS_PER_MINUTE: "1000",
      // Every test player comes from 127.0.0.1: the per-address matchmaking limit is not under test here.
      MATCHMAKING_PER_ADDRESS_PER_MINUTE: "6000",
      ...env,
    };
    const nodes: ClusterNode[] = [];
    for (const redisUrl of redisUrls) nodes.push(new ClusterNode(await freePort(), { ...shared, REDIS_URL: redisUrl }));
    const cluster = new TestCluster(nodes, schema);
    for (const node of nodes) await node.start();
    cluster.#adminToken = (await new LockstepClient(nodes[0]!.url).register(ADMIN.email, ADMIN.password)).token;
    return cluster;
  }

  get adminToken(): string {
    return this.#adminToken;
  }

  /** Leaves every match of {@link pair} (so no client keeps reconnecting), kills every process and drops the schema. */
  async stop(): Promise<void> {
    await Promise.all(this.#matches.map((match) => leaveQuietly(match)));
    await Promise.all(this.nodes.map((node) => node.stop("SIGKILL")));
    await dropSchema(this.#schema);
  }

  /** A logged-in player whose client knows every process, starting with `first`. */
  async player(first: ClusterNode, name: string): Promise<LockstepClient> {
    const others = this.nodes.filter((node) => node !== first).map((node) => node.url);
    const client = new LockstepClient([first.url, ...others]);
    await client.loginAnonymous({ name });
    return client;
  }

  /** Two players matched through different processes, in one started match. */
  async pair(): Promise<Pair> {
    const a = await (await this.player(this.nodes[0]!, "Ann")).create<ArenaAction>("arena");
    const b = await (await this.player(this.nodes[1]!, "Ben")).joinById<ArenaAction>(a.roomId);
    this.#matches.push(a, b);
    const ra = record(a);
    const rb = record(b);
    const started = Promise.all([new Promise((resolve) => a.onStart(resolve)), new Promise((resolve) => b.onStart(resolve))]);
    a.ready();
    b.ready();
    await started;
    return { a, b, ra, rb };
  }

  /** `GET /admin/rooms` as `node` answers it. */
  async adminRooms(node: ClusterNode): Promise<AdminRooms> {
    const answer = await call(node.url, "/admin/rooms", { token: this.#adminToken });
    assert.equal(answer.status, 200, `GET /admin/rooms on ${node.url}`);
    return answer.body as unknown as AdminRooms;
  }

  /** The process that runs a room, from its listing (asked of any process that is up). */
  async ownerOf(roomId: string): Promise<ClusterNode> {
    const listing = (await this.adminRooms(this.#anyRunning())).rooms.find((room) => room.roomId === roomId);
    assert.ok(listing !== undefined, `room ${roomId} is listed`);
    return this.nodes.find((node) => listing.publicAddress === `127.0.0.1:${node.port}`)!;
  }

  /** The match as its process describes it (`GET /admin/rooms/:roomId`). */
  async inspect(roomId: string): Promise<{ status: number; body: Record<string, unknown> }> {
    return call(this.#anyRunning().url, `/admin/rooms/${roomId}`, { token: this.#adminToken });
  }

  #anyRunning(): ClusterNode {
    const node = this.nodes.find((candidate) => candidate.running);
    assert.ok(node !== undefined, "a process of the cluster is running");
    return node;
  }
}
