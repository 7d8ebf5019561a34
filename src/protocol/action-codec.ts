import { Packr } from "msgpackr";

/**
 * Actions travel as plain msgpack. Records (msgpackr's structure cache) are off: every action
 * must decode on its own, in any order, from a frame log replayed months later. `undefined`
 * never becomes msgpackr's extension 0 (the server refuses extensions): object fields holding
 * it are left out, as JSON does, and elsewhere it is written as nil.
 */
const PACK_OPTIONS = { useRecords: false, mapsAsObjects: true, variableMapSize: true, encodeUndefinedAsNil: true, skipValues: [undefined] };
// `skipValues` is a msgpackr option its type declarations do not list yet; a variable (not a literal) passes it through.
const packr = new Packr(PACK_OPTIONS);

/**
 * Encodes a game action to the bytes carried in frames. Use plain data (objects, arrays,
 * strings, finite numbers, booleans, null, `Uint8Array`): the server refuses anything that
 * msgpackr would encode as an extension (dates, sets, maps with object keys, typed arrays
 * other than bytes, cycles).
 */
export function encodeAction(action: unknown): Uint8Array {
  return packr.pack(action);
}

/** Decodes an action's bytes. Throws on malformed msgpack or trailing bytes. */
export function decodeAction<TAction = unknown>(bytes: Uint8Array): TAction {
  const values = packr.unpackMultiple(bytes as Buffer) as unknown[];
  if (values.length !== 1) throw new Error(`expected one msgpack value, found ${values.length}`);
  return values[0] as TAction;
}
