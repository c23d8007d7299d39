/** Daily's value rules, shared by its descriptor's checks, its signature scheme and its emulator. */

/** Daily's two delivery retry modes (docs/providers/daily.md §4.3). */
export const DAILY_RETRY_TYPES = ['circuit-breaker', 'exponential'] as const;

/** Standard base64 with its padding: Daily decodes `hmac` as base64 to get the signing key (docs/providers/daily.md §4.5). */
export function isBase64(value: string): boolean {
  return value.length > 0 && value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}
