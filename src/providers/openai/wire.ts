/**
 * OpenAI's wire format (test/specs/openai-webhooks.openapi.yaml: `WebhookEndpointBody`,
 * `WebhookEndpointWithSecretResource`, `WebhookEndpointListResource`, `DeletedWebhookEndpointResource`,
 * `WebhookEndpointTestResultResource`, `WebhookEventTypeListResource`, `ErrorResponse`, and the request bodies).
 * The adapter reads answers with the response schemas; the emulator checks requests with the request schemas.
 */
import * as z from '../../zod.ts';

/**
 * `WebhookEndpointBody`. Only what the normal Webhook cannot do without is required here, so a thinner answer
 * still reads; `signing_secret` is present only in the answers to create and rotate_secret.
 */
export const endpointWire = z.looseObject({
  id: z.string().check(z.minLength(1)),
  object: z.optional(z.string()),
  created_at: z.nullish(z.number()),
  updated_at: z.nullish(z.number()),
  name: z.nullish(z.string()),
  url: z.string(),
  event_types: z.array(z.string()),
  signing_secret_hint: z.nullish(z.string()),
  signing_secret: z.optional(z.string()),
});
export type OpenAIEndpoint = z.infer<typeof endpointWire>;

export const withSecretWire = z.looseObject({
  ...endpointWire.shape,
  signing_secret: z.string().check(z.minLength(1)),
});

export const listWire = z.looseObject({
  data: z.array(endpointWire),
  last_id: z.nullish(z.string()),
  has_more: z.boolean(),
});

export const testResultWire = z.looseObject({
  webhook_endpoint_id: z.optional(z.string()),
  event_type: z.optional(z.string()),
  status_code: z.nullish(z.number()),
  success: z.optional(z.boolean()),
});

export const eventTypesWire = z.looseObject({ data: z.array(z.string()) });

/** `ErrorResponse`: `{error: {message, type, param, code}}`. */
export const errorWire = z.looseObject({
  error: z.looseObject({
    message: z.nullish(z.string()),
    type: z.nullish(z.string()),
    param: z.nullish(z.string()),
    code: z.nullish(z.string()),
  }),
});

// ---- request bodies: exactly the fields OpenAI lists (the spec adds additionalProperties: false) ----

const name = z.string().check(z.minLength(1), z.maxLength(256));
const url = z.string().check(z.maxLength(2048));
const eventTypes = (known: readonly [string, ...string[]]) => z.array(z.enum(known)).check(z.minLength(1));

/** `PublicCreateEndpointBody`; the URL pattern is checked apart (the emulator accepts loopback http). */
export const createBody = (known: readonly [string, ...string[]]) =>
  z.strictObject({ name, url, event_types: eventTypes(known) });
/** `PublicUpdateEndpointBody`: every field optional; `event_types` replaces the whole set. */
export const updateBody = (known: readonly [string, ...string[]]) =>
  z.strictObject({
    name: z.optional(name),
    url: z.optional(url),
    event_types: z.optional(eventTypes(known)),
  });
/** `PublicRotateSecretBody`. */
export const rotateBody = z.strictObject({ keep_old_secret_active_for_24_hours: z.optional(z.boolean()) });
/** `PublicTestEndpointBody`. */
export const testBody = (known: readonly [string, ...string[]]) =>
  z.strictObject({ event_type: z.enum(known) });

/** The body of a create or update the adapter sends. */
export interface OpenAIWrite {
  name?: string;
  url?: string;
  event_types?: string[];
}
