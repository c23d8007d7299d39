/**
 * Talkover's wire format: `components.schemas.Webhook` of specs/talkover.openapi.json, the `{success,
 * message, data}` envelope around it, and the shapes of test, logs and retry answers that only the docs
 * pages describe (docs/providers/talkover.md §2.2).
 */
import * as z from '../../zod.ts';

/** Laravel without a cast answers 1/0 for booleans; the spec says boolean. Both are read as boolean. */
const flag = z.pipe(
  z.union([z.boolean(), z.literal(0), z.literal(1)]),
  z.transform((v) => v === true || v === 1),
);
const id = z.pipe(z.union([z.string(), z.number()]), z.transform(String));

export const webhookWire = z.looseObject({
  id: z.string(),
  agent_id: z.nullish(z.string()),
  /** Campaign webhooks (docs/providers/talkover.md §3.2). */
  campaign_id: z.nullish(z.string()),
  include_call_events: z.nullish(flag),
  name: z.nullish(z.string()),
  webhook_url: z.string(),
  events: z.array(z.string()),
  timeout: z.nullish(z.number()),
  max_retries: z.nullish(z.number()),
  enabled: flag,
  created_at: z.nullish(z.string()),
  updated_at: z.nullish(z.string()),
  events_count: z.nullish(z.number()),
  status: z.nullish(z.string()),
});
export type TalkoverWebhook = z.infer<typeof webhookWire>;

/**
 * `{success, message, data}` whose `data` may be part of a webhook: campaign create, update and toggle answer
 * with a few fields only (docs/providers/talkover.md §3.2); the adapter then reads the whole webhook back.
 */
export const partialWire = z.looseObject({
  success: z.optional(z.boolean()),
  message: z.nullish(z.string()),
  data: z.looseObject({ id }),
});

/** `{success, message, data: Webhook}`: create, get, update and toggle. */
export const oneWire = z.looseObject({
  success: z.optional(z.boolean()),
  message: z.nullish(z.string()),
  data: webhookWire,
});

/**
 * The list: webhooks plus the agent's `available_events`, an object of name → description for agent
 * webhooks (an array of names for campaign webhooks), docs/providers/talkover.md §2.2.
 */
export const listWire = z.looseObject({
  success: z.optional(z.boolean()),
  data: z.looseObject({
    webhooks: z.array(webhookWire),
    available_events: z.nullish(z.union([z.record(z.string(), z.string()), z.array(z.string())])),
  }),
});

/** `POST …/test`: `data` is documented on success only; failures carry just a message. */
export const testWire = z.looseObject({
  success: z.boolean(),
  message: z.nullish(z.string()),
  data: z.nullish(
    z.looseObject({ status_code: z.nullish(z.number()), response_time: z.nullish(z.number()) }),
  ),
});

export const logWire = z.looseObject({
  id,
  webhook_id: z.nullish(z.string()),
  event: z.nullish(z.string()),
  attempt: z.nullish(z.number()),
  status: z.nullish(z.string()),
  http_status: z.nullish(z.number()),
  duration_ms: z.nullish(z.number()),
  delivered_at: z.nullish(z.string()),
  created_at: z.nullish(z.string()),
  error: z.nullish(z.string()),
});
export type TalkoverLog = z.infer<typeof logWire>;

export const logsWire = z.looseObject({
  success: z.optional(z.boolean()),
  data: z.array(logWire),
  pagination: z.nullish(
    z.looseObject({
      current_page: z.number(),
      per_page: z.nullish(z.number()),
      total: z.nullish(z.number()),
      // Campaign log pages may lack it (docs/providers/talkover.md §3.2, Logs).
      last_page: z.nullish(z.number()),
    }),
  ),
});

export const retryWire = z.looseObject({
  success: z.optional(z.boolean()),
  message: z.nullish(z.string()),
  data: z.nullish(
    z.looseObject({
      log_id: z.nullish(id),
      original_log_id: z.nullish(id),
      queued_at: z.nullish(z.string()),
    }),
  ),
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
  include_call_events?: boolean;
}
