/** Small readers of an incoming emulator request, shared by every provider's emulator. */

/** A header's first value (node gives repeated headers as an array). */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A path segment decoded, or as it is when it is not valid percent-encoding (the provider then 404s). */
export function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
