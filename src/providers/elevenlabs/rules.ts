/** Rules several modules of the folder share (the descriptor, the adapter, the emulator). */

/**
 * ElevenLabs documents ids only by example (`G007vmtq9uWYl7SUW9zGS8GZZa1K`, `123`, `agent_7101k5…`): the
 * contract's rule for such providers, a non-empty token without `/`, `?`, `#` or whitespace.
 */
export const isElevenLabsToken = (value: string): boolean => /^[^\s/?#]+$/.test(value);

/**
 * Retries are one switch, `retry_enabled`: up to 5 attempts on a fixed schedule, for post-call
 * transcriptions only. `--max-retries` says the same as the flag of the other providers: 0 (off) or 5 (on).
 */
export const ELEVENLABS_RETRIES = 5;

/** The residency hosts; without a region, the default host routes to the closest one. */
export const ELEVENLABS_HOSTS = {
  us: 'https://api.us.elevenlabs.io',
  eu: 'https://api.eu.residency.elevenlabs.io',
  in: 'https://api.in.residency.elevenlabs.io',
  sg: 'https://api.sg.residency.elevenlabs.io',
} as const;
export const ELEVENLABS_DEFAULT_HOST = 'https://api.elevenlabs.io';
