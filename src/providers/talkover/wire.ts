/**
 * Talkover's wire format: `components.schemas.Webhook` of specs/talkover.openapi.json, the `{success,
 * message, data}` envelope around it, and the shapes of test, logs and retry answers that only the docs
 * pages describe (providers.md §2.2).
 */
import { z } from 'zod';

/** Laravel without a cast answers 1/0 for booleans; the spec says boolean. Both are read as boolean. */
const flag = z.union([z.boolean(), z.literal(0), z.literal(1)]).transform((v) => v === true || v === 1);
const id = z.union([z.string(), z.number()]).transform(String);

export const webhookWire = z.looseObject({
  id: z.string(),
  agent_id: z.string().nullish(),
  name: z.string().nullish(),
  webhook_url: z.string(),
  events: z.array(z.string()),
  timeout: z.number().nullish(),
  max_retries: z.number().nullish(),
  enabled: flag,
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  events_count: z.number().nullish(),
  status: z.string().nullish(),
});
export type TalkoverWebhook = z.infer<typeof webhookWire>;

/** `{success, message, data: Webhook}`: create, get, update and toggle. */
export const oneWire = z.looseObject({
  success: z.boolean().optional(),
  message: z.string().nullish(),
  data: webhookWire,
});

/**
 * The list: webhooks plus the agent's `available_events`, an object of name → description for agent
 * webhooks (an array of names for campaign webhooks), providers.md §2.2.
 */
export const listWire = z.looseObject({
  success: z.boolean().optional(),
  data: z.looseObject({
    webhooks: z.array(webhookWire),
    available_events: z.union([z.record(z.string(), z.string()), z.array(z.string())]).nullish(),
  }),
});

/** `POST …/test`: `data` is documented on success only; failures carry just a message. */
export const testWire = z.looseObject({
  success: z.boolean(),
  message: z.string().nullish(),
  data: z.looseObject({ status_code: z.number().nullish(), response_time: z.number().nullish() }).nullish(),
});

export const logWire = z.looseObject({
  id,
  webhook_id: z.string().nullish(),
  event: z.string().nullish(),
  attempt: z.number().nullish(),
  status: z.string().nullish(),
  http_status: z.number().nullish(),
  duration_ms: z.number().nullish(),
  delivered_at: z.string().nullish(),
  created_at: z.string().nullish(),
  error: z.string().nullish(),
});
export type TalkoverLog = z.infer<typeof logWire>;

export const logsWire = z.looseObject({
  success: z.boolean().optional(),
  data: z.array(logWire),
  pagination: z
    .looseObject({
      current_page: z.number(),
      per_page: z.number().nullish(),
      total: z.number().nullish(),
      last_page: z.number(),
    })
    .nullish(),
});

export const retryWire = z.looseObject({
  success: z.boolean().optional(),
  message: z.string().nullish(),
  data: z
    .looseObject({ log_id: id.nullish(), original_log_id: id.nullish(), queued_at: z.string().nullish() })
    .nullish(),
});

/** The body of a create or an update (PUT with partial semantics): only the fields given. */
export interface TalkoverWrite {
  name?: string;
  webhook_url?: string;
  webhook_secret?: string;
  events?: string[];
  timeout?: number;
  max_retries?: number;
  enabled?: boolean;
  http_method?: string;
  authorization_scheme?: string;
  custom_headers?: { key: string; value: string }[];
  payload_templates?: Record<string, Record<string, unknown>>;
}
