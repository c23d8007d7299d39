/** PolyAI's wire format (specs/polyai.openapi.json: `WebhookEndpoint`, `…CreateResponse`, `Error`). */
import * as z from '../../zod.ts';

/**
 * `WebhookEndpoint`. The spec marks every field required; only what the normal Webhook cannot do without is
 * required here, so a thinner answer still reads.
 */
export const endpointWire = z.looseObject({
  id: z.string(),
  name: z.nullish(z.string()),
  url: z.string(),
  enabled: z.boolean(),
  event_types: z.array(z.string()),
  headers: z.nullish(z.record(z.string(), z.string())),
  timeout_ms: z.nullish(z.number()),
  created_at: z.nullish(z.string()),
  updated_at: z.nullish(z.string()),
  /** Only in the answer to a create (docs/providers/polyai.md §3.3). */
  signing_secret: z.nullish(z.string()),
});
export type PolyAIEndpoint = z.infer<typeof endpointWire>;

export const listWire = z.looseObject({ data: z.array(endpointWire) });

export const rotateWire = z.looseObject({ signing_secret: z.string().check(z.minLength(1)) });

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
