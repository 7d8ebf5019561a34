/** `hashState` lives in the protocol module: the server verifies snapshots with the very same function. */
export { hashState } from "../../src/protocol/index.ts";
