import { Packr } from "msgpackr";

/**
 * Actions travel as msgpack. Records (msgpackr's structure cache) are off: every action must
 * decode on its own, in any order, from a frame log replayed months later.
 */
const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });

/** Encodes a game action (any msgpack-serializable value) to the bytes carried in frames. */
export function encodeAction(action: unknown): Uint8Array {
  return packr.pack(action);
}

/** Decodes an action's bytes. Throws on malformed msgpack or trailing bytes. */
export function decodeAction<TAction = unknown>(bytes: Uint8Array): TAction {
  const values = packr.unpackMultiple(bytes as Buffer) as unknown[];
  if (values.length !== 1) throw new Error(`expected one msgpack value, found ${values.length}`);
  return values[0] as TAction;
}
