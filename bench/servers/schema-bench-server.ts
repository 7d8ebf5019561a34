// The server under test for target "schema": what a Colyseus user would write for the same job
// without this project: the frame's inputs in a @colyseus/schema state, a simulation interval
// that moves them in, and state patches sent every tick.
import type { AddressInfo } from "node:net";
import { Room, Server, type Client } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { ArraySchema, schema, t, type SchemaType } from "@colyseus/schema";
import { Histogram } from "../../src/lockstep/histogram.ts";
import { ACTION_TYPE } from "../workload.ts";
import { WindowStats, handleStatsRequest } from "./stats-route.ts";

const roomSize = Number(process.env.ROOM_SIZE ?? 4);
const periodMs = 1000 / Number(process.env.FRAME_RATE ?? 30);

const Input = schema({ slot: t.uint8(), data: t.string() }, "Input");
type Input = SchemaType<typeof Input>;
const FrameState = schema({ frame: t.uint32(), inputs: t.array(Input) }, "FrameState");
type FrameState = SchemaType<typeof FrameState>;

const lateness = new Histogram();
const stats = new WindowStats(lateness);

class SchemaFrameRoom extends Room<{ state: FrameState }> {
  override maxClients = roomSize;
  override state = new FrameState({ frame: 0, inputs: new ArraySchema<Input>() });
  #pending: { slot: number; data: string }[] = [];
  #lastTick = 0;

  override onCreate(): void {
    this.onMessageBytes(ACTION_TYPE, (client: Client, bytes: Uint8Array) => {
      this.#pending.push({ slot: this.clients.indexOf(client), data: Buffer.from(bytes).toString("base64") });
    });
    this.#lastTick = performance.now();
    this.setSimulationInterval(() => this.#tick(), periodMs);
    this.setPatchRate(periodMs);
  }

  #tick(): void {
    const now = performance.now();
    // An interval schedules each tick one period after the previous one: lateness is measured against that.
    lateness.record(now - this.#lastTick - periodMs);
    this.#lastTick = now;
    this.state.frame++;
    this.state.inputs = new ArraySchema<Input>(...this.#pending.map((input) => new Input(input)));
    this.#pending = [];
  }
}

const transport = new WebSocketTransport();
const server = new Server({
  transport,
  greet: false,
  gracefullyShutdown: false,
  express: (app) => {
    app.get(/^\/__bench\//, (request, response) => {
      handleStatsRequest(stats, request.url, (body) => response.type("json").send(body));
    });
  },
});
server.define("bench", SchemaFrameRoom);
await server.listen(Number(process.env.BENCH_PORT ?? 0), "127.0.0.1");
console.log(`bench server ready on ${(transport.server!.address() as AddressInfo).port}`);

// A clean exit on SIGINT lets `node --cpu-prof` write its profile.
process.once("SIGINT", () => process.exit(0));
