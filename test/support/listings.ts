import assert from "node:assert/strict";
import type { ClusterNode } from "./cluster.ts";
import type { AdminRooms, TestCluster } from "./cluster-match.ts";
import { call } from "./http.ts";

/**
 * Asserts that what the cluster says about its rooms is exactly true, asking every live
 * process: room ids unique and non-empty (the monitor's grid needs that), every listing's
 * process alive and really hosting the room, client counts equal to the seats taken,
 * and each process's room count and CCU, local and as published in presence, equal to its
 * listings. Processes publish their counts at most once a second: wrap it in `eventually`.
 */
export async function assertListingsExact(cluster: TestCluster, live: readonly ClusterNode[]): Promise<void> {
  const answers = new Map<ClusterNode, AdminRooms>();
  for (const node of live) answers.set(node, await cluster.adminRooms(node));
  const processIds = [...answers.values()].map((answer) => answer.processId);
  const rooms = answers.get(live[0]!)!.rooms;

  const roomIds = rooms.map((room) => room.roomId);
  assert.ok(
    roomIds.every((roomId) => typeof roomId === "string" && roomId.length > 0),
    `room ids ${JSON.stringify(roomIds)} are non-empty`,
  );
  assert.equal(new Set(roomIds).size, roomIds.length, `room ids ${JSON.stringify(roomIds)} are unique`);
  for (const answer of answers.values()) {
    assert.deepEqual(answer.rooms.map((room) => room.roomId).sort(), [...roomIds].sort(), "every process lists the same rooms");
  }

  for (const room of rooms) {
    assert.ok(room.clients >= 0, `room ${room.roomId} lists ${room.clients} clients`);
    assert.ok(
      processIds.includes(room.processId),
      `room ${room.roomId} is listed on ${room.processId}, which is not a live process (${processIds.join(", ")})`,
    );
    const hosts = [...answers.values()].filter((answer) => answer.rooms.find((listed) => listed.roomId === room.roomId)?.hostedHere === true);
    assert.deepEqual(
      hosts.map((host) => host.processId),
      [room.processId],
      `room ${room.roomId} runs exactly where it is listed`,
    );
    const inspected = await cluster.inspect(room.roomId);
    assert.equal(inspected.status, 200, `room ${room.roomId} answers`);
    // Colyseus counts a seat held for a dropped player as a client, as it does a connected one.
    const seated = (inspected.body.players as unknown[]).length;
    assert.equal(room.clients, seated, `room ${room.roomId} lists ${room.clients} clients for ${seated} seated players`);
  }

  const published = answers.get(live[0]!)!.processes;
  assert.deepEqual(published.map((entry) => entry.processId).sort(), [...processIds].sort(), "presence counts exactly the live processes");
  for (const answer of answers.values()) {
    const own = rooms.filter((room) => room.processId === answer.processId);
    const clients = own.reduce((sum, room) => sum + room.clients, 0);
    assert.deepEqual(answer.local, { roomCount: own.length, ccu: clients }, `process ${answer.processId} counts its own rooms and clients`);
    const entry = published.find((candidate) => candidate.processId === answer.processId);
    assert.deepEqual(entry && { roomCount: entry.roomCount, ccu: entry.ccu }, answer.local, `presence has process ${answer.processId}'s counts`);
  }

  for (const node of live) {
    const monitor = await call(node.url, "/monitor/api", { token: cluster.adminToken });
    assert.equal(monitor.status, 200, `GET /monitor/api on ${node.url}`);
    const gridIds = (monitor.body.rooms as { roomId: string }[]).map((room) => room.roomId);
    assert.deepEqual([...gridIds].sort(), [...roomIds].sort(), `the monitor on ${node.url} shows each room once`);
  }
}
