/** Ultravox's wire format (specs/ultravox.openapi.yaml: `Webhook`, `PaginatedWebhookList`). */
import { z } from 'zod';

export const webhookWire = z.looseObject({
  webhookId: z.string(),
  agentId: z.string().nullish(),
  created: z.string().nullish(),
  url: z.string(),
  secrets: z.array(z.string()).nullish(),
  events: z.array(z.string()),
  status: z.string().nullish(),
  lastStatusChange: z.string().nullish(),
  recentFailures: z.array(z.looseObject({ timestamp: z.string(), failure: z.string() })).nullish(),
});
export type UltravoxWebhook = z.infer<typeof webhookWire>;

export const pageWire = z.looseObject({
  next: z.string().nullish(),
  previous: z.string().nullish(),
  results: z.array(webhookWire),
  total: z.number().nullish(),
});

/** The body of a create, PUT or PATCH: only the writable fields (readOnly ones are ignored by the API). */
export interface UltravoxWrite {
  url?: string;
  events?: string[];
  secrets?: string[];
  agentId?: string | null;
}
