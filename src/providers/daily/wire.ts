/** Daily's wire format (specs/daily.reconstructed.openapi.yaml `Webhook`; docs/providers/daily.md §4.2). */
import * as z from '../../zod.ts';

/**
 * `state` is a word today (`ACTIVE`, `FAILED`, `INACTIVE`); Daily's old beta docs typed it as a number and
 * the timestamps as Unix seconds, so both forms are read (docs/providers/daily.md §4.2).
 */
const stateWire = z.nullish(z.union([z.string(), z.number()]));
const timeWire = z.nullish(z.union([z.string(), z.number()]));

export const webhookWire = z.looseObject({
  uuid: z.string(),
  url: z.string(),
  hmac: z.nullish(z.string()),
  basicAuth: z.nullish(z.string()),
  retryType: z.nullish(z.string()),
  eventTypes: z.nullish(z.array(z.string())),
  state: stateWire,
  failedCount: z.nullish(z.number()),
  lastMomentPushed: timeWire,
  domainId: z.nullish(z.string()),
  createdAt: timeWire,
  updatedAt: timeWire,
});
export type DailyWebhook = z.infer<typeof webhookWire>;

/** `GET /webhooks`: a bare array, no pagination. */
export const listWire = z.array(webhookWire);

/**
 * `GET /webhooks/:uuid`: the docs say it returns the webhook, Daily's generated clients type it as an array of
 * webhooks; both are read (docs/providers/daily.md §4.2).
 */
export const oneOrArrayWire = z.union([webhookWire, z.array(webhookWire)]);

/** Daily's error body, `{"error": "<type>", "info": "<human text>"}` (docs/providers/daily.md §4.4). */
export const errorWire = z.looseObject({
  error: z.nullish(z.string()),
  info: z.nullish(z.string()),
});

/** The body of a create or update: only the documented fields (`CreateWebhook`, `UpdateWebhook`). */
export interface DailyWrite {
  url?: string;
  basicAuth?: string | null;
  retryType?: string;
  eventTypes?: string[];
  hmac?: string;
}
