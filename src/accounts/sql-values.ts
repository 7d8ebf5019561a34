/** An ISO time as PostgreSQL's `timestamptz` reads it, in milliseconds (what listings page on); RangeError, naming the field, if unparsable. */
export function isoTime(value: string, name: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new RangeError(`${name} is not a valid time: ${JSON.stringify(value)}`);
  return time.toISOString();
}

/** node-postgres and PGlite both parse `jsonb`; text is parsed here should a driver ever hand it over unparsed. */
export function fromJsonb(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}
