/** Readers of untrusted JSON values (deliveries, provider objects): anything may be in them. */

/** The value as a plain object, or an empty one when it is not one. */
export function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The string-valued entries of an object (custom headers); anything else dropped. */
export function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(asRecord(value)).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** The first candidate that is a non-empty string, or null. */
export function firstString(...candidates: unknown[]): string | null {
  const found = candidates.find((c) => typeof c === 'string' && c !== '');
  return typeof found === 'string' ? found : null;
}
