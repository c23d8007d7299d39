/** Daily's wire format (specs/daily.reconstructed.openapi.yaml `Webhook`; providers.md §4.2). */
import { z } from 'zod';

/**
 * `state` is a word today (`ACTIVE`, `FAILED`, `INACTIVE`); Daily's old beta docs typed it as a number and
 * the timestamps as Unix seconds, so both forms are read (providers.md §4.2).
 */
const stateWire = z.union([z.string(), z.number()]).nullish();
const timeWire = z.union([z.string(), z.number()]).nullish();

export const webhookWire = z.looseObject({
  uuid: z.string(),
  url: z.string(),
  hmac: z.string().nullish(),
  basicAuth: z.string().nullish(),
  retryType: z.string().nullish(),
  eventTypes: z.array(z.string()).nullish(),
  state: stateWire,
  failedCount: z.number().nullish(),
  lastMomentPushed: timeWire,
  domainId: z.string().nullish(),
  createdAt: timeWire,
  updatedAt: timeWire,
});
export type DailyWebhook = z.infer<typeof webhookWire>;

/** `GET /webhooks`: a bare array, no pagination. */
export const listWire = z.array(webhookWire);

/**
 * `GET /webhooks/:uuid`: the docs say it returns the webhook, Daily's generated clients type it as an array of
 * webhooks; both are read (providers.md §4.2).
 */
export const oneOrArrayWire = z.union([webhookWire, z.array(webhookWire)]);

/** Daily's error body, `{"error": "<type>", "info": "<human text>"}` (providers.md §4.4). */
export const errorWire = z.looseObject({
  error: z.string().nullish(),
  info: z.string().nullish(),
});

/** The body of a create or update: only the documented fields (`CreateWebhook`, `UpdateWebhook`). */
export interface DailyWrite {
  url?: string;
  basicAuth?: string | null;
  retryType?: string;
  eventTypes?: string[];
  hmac?: string;
}
