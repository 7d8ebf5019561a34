import { matchMaker } from "@colyseus/core";

/**
 * Puts back what Colyseus's driver and presence should say about this process when it is
 * missing: the listings of the rooms running here, and this process's room count. Both vanish
 * when Redis loses its data (a restart without persistence); a listing also vanishes when the
 * process that ran a match before removes "its" listing late (a removal it issued while Redis
 * was unreachable, carried out once Redis is back, after this process listed the resumed room
 * under the same id), and the room count when a peer that could not reach this process
 * excluded it. Without its listing a room cannot be reconnected to; without its count the
 * process gets no new rooms. Runs once a second (see `MatchRecovery`): one HMGET and one HGETALL.
 *
 * Uses Colyseus's public `restoreMissingRoomCaches` (the repair Colyseus itself runs, every 5 s,
 * for a process whose listings a peer swept) and `stats.fetchAll` / `stats.persist`.
 */
export async function repairListings(): Promise<void> {
  await matchMaker.restoreMissingRoomCaches();
  const published = await matchMaker.stats.fetchAll();
  if (!published.some((entry) => entry.processId === matchMaker.processId)) await matchMaker.stats.persist(true);
}
