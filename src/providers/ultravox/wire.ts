/** Ultravox's wire format (specs/ultravox.openapi.yaml: `Webhook`, `PaginatedWebhookList`). */
import * as z from '../../zod.ts';

export const webhookWire = z.looseObject({
  webhookId: z.string(),
  agentId: z.nullish(z.string()),
  created: z.nullish(z.string()),
  url: z.string(),
  secrets: z.nullish(z.array(z.string())),
  events: z.array(z.string()),
  status: z.nullish(z.string()),
  lastStatusChange: z.nullish(z.string()),
  recentFailures: z.nullish(z.array(z.looseObject({ timestamp: z.string(), failure: z.string() }))),
});
export type UltravoxWebhook = z.infer<typeof webhookWire>;

export const pageWire = z.looseObject({
  next: z.nullish(z.string()),
  previous: z.nullish(z.string()),
  results: z.array(webhookWire),
  total: z.nullish(z.number()),
});

/** The body of a create, PUT or PATCH: only the writable fields (readOnly ones are ignored by the API). */
export interface UltravoxWrite {
  url?: string;
  events?: string[];
  secrets?: string[];
  agentId?: string | null;
}
