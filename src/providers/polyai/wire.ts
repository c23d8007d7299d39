/** PolyAI's wire format (specs/polyai.openapi.json: `WebhookEndpoint`, `…CreateResponse`, `Error`). */
import { z } from 'zod';

/**
 * `WebhookEndpoint`. The spec marks every field required; only what the normal Webhook cannot do without is
 * required here, so a thinner answer still reads.
 */
export const endpointWire = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  url: z.string(),
  enabled: z.boolean(),
  event_types: z.array(z.string()),
  headers: z.record(z.string(), z.string()).nullish(),
  timeout_ms: z.number().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  /** Only in the answer to a create (providers.md §3.3). */
  signing_secret: z.string().nullish(),
});
export type PolyAIEndpoint = z.infer<typeof endpointWire>;

export const listWire = z.looseObject({ data: z.array(endpointWire) });

export const rotateWire = z.looseObject({ signing_secret: z.string().min(1) });

/**
 * The body of a create or PATCH. The API rejects unknown properties (`additionalProperties: false`), so this
 * holds exactly the writable fields of `CreateWebhookEndpointRequest` / `UpdateWebhookEndpointAttributes`.
 */
export interface PolyAIWrite {
  name?: string;
  url?: string;
  event_types?: string[];
  headers?: Record<string, string>;
  timeout_ms?: number;
  enabled?: boolean;
}
