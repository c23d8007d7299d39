/**
 * ElevenLabs' wire format (test/specs/elevenlabs.openapi.yaml): the workspace webhook list item, the answers
 * to create, update and delete, the `webhooks` object of the ConvAI settings and of an agent's workspace
 * overrides. Only what voicehooks reads is required; everything else passes through (`looseObject`), since
 * the settings are written back as they were read.
 */
import * as z from '../../zod.ts';

/** `WorkspaceWebhookResponseModel`. `events` and `usage` are filled only for `include_usages=true` (admins). */
export const webhookWire = z.looseObject({
  webhook_id: z.string().check(z.minLength(1)),
  name: z.string(),
  webhook_url: z.string(),
  is_disabled: z.boolean(),
  is_auto_disabled: z.boolean(),
  created_at_unix: z.nullish(z.number()),
  auth_type: z.nullish(z.string()),
  // `WebhookUsageType` keeps growing (providers' facts §2.1): any string is read.
  usage: z.nullish(z.array(z.looseObject({ usage_type: z.string() }))),
  events: z.nullish(z.array(z.string())),
  most_recent_failure_error_code: z.nullish(z.number()),
  most_recent_failure_timestamp: z.nullish(z.number()),
});
export type ElevenLabsWebhook = z.infer<typeof webhookWire>;

export const listWire = z.looseObject({ webhooks: z.array(webhookWire) });

/** `WorkspaceCreateWebhookResponseModel`: the only answer that ever holds the secret. */
export const createdWire = z.looseObject({
  webhook_id: z.string().check(z.minLength(1)),
  webhook_secret: z.nullish(z.string()),
});

/** `PatchWorkspaceWebhookResponseModel` / `DeleteWorkspaceWebhookResponseModel`. */
export const statusWire = z.looseObject({ status: z.string() });

/** `ConvAIWebhooks`: which webhook gets the post-call deliveries, and which of them. */
export const convaiWebhooksWire = z.looseObject({
  post_call_webhook_id: z.nullish(z.string()),
  events: z.nullish(z.array(z.string())),
});
export type ConvAIWebhooks = z.infer<typeof convaiWebhooksWire>;

/** `GetConvAISettingsResponseModel`; every other setting is kept as read, to be sent back unchanged. */
export const settingsWire = z.looseObject({ webhooks: z.nullish(convaiWebhooksWire) });
export type ConvAISettings = z.infer<typeof settingsWire>;

/** `GetAgentResponseModel`, as far as the webhook override goes. */
export const agentWire = z.looseObject({
  agent_id: z.string(),
  platform_settings: z.nullish(
    z.looseObject({
      workspace_overrides: z.nullish(z.looseObject({ webhooks: z.nullish(convaiWebhooksWire) })),
    }),
  ),
});
export type ElevenLabsAgent = z.infer<typeof agentWire>;

/**
 * The body of `PATCH /v1/workspace/webhooks/{id}`. `name` and `is_disabled` are required by the API, so an
 * update always carries them, read from the webhook first.
 */
export interface ElevenLabsPatch {
  name: string;
  is_disabled: boolean;
  retry_enabled?: boolean;
  request_headers?: Record<string, string>;
  events?: string[];
}

/** The fields of `PatchConvAISettingsRequest`: the settings are sent back with these, as they were read. */
export const SETTINGS_FIELDS = [
  'conversation_initiation_client_data_webhook',
  'webhooks',
  'can_use_mcp_servers',
  'rag_retention_period_days',
  'conversation_embedding_retention_days',
  'default_livekit_stack',
] as const;
