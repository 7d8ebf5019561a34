/**
 * Stable codes for bytes that cannot be decoded. A decoder never reads past its input:
 * it throws a {@link ProtocolError} carrying one of these instead.
 */
export const ProtocolErrorCode = {
  /** The input ended in the middle of a value. */
  TRUNCATED: "PROTOCOL_TRUNCATED",
  /** A varint was longer than the protocol allows, or larger than 2^53 - 1. */
  VARINT_OVERFLOW: "PROTOCOL_VARINT_OVERFLOW",
  /** A value was decoded but is not allowed here (unknown event kind, bad flags). */
  INVALID_VALUE: "PROTOCOL_INVALID_VALUE",
  /** Bytes were left over after a complete message. */
  TRAILING_BYTES: "PROTOCOL_TRAILING_BYTES",
  /**
   * A msgpack value that is not plain data: an extension (msgpackr uses them for cycles,
   * dates, sets, typed arrays, errors, regular expressions), the reserved byte 0xc1, a
   * non-finite float, a map key that is not a string or an integer, or a `__proto__` key.
   */
  NOT_PLAIN_DATA: "PROTOCOL_NOT_PLAIN_DATA",
  /** Arrays and maps nested deeper than allowed. */
  TOO_DEEP: "PROTOCOL_TOO_DEEP",
} as const;

/** One of {@link ProtocolErrorCode}'s values. */
export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

/** Thrown by every decoder of the protocol module when its input is not valid. */
export class ProtocolError extends Error {
  /** Machine-readable reason, stable across versions. */
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
  }
}
