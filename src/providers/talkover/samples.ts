/**
 * Talkover's documented test payload (docs/providers/talkover.md §2.2 "Test"), which `test --local` sends from
 * here, unsigned, because Talkover's signature scheme is undocumented (§2.5). A named event replaces
 * `webhook.test`. The webhook's custom headers and delivery method are used as Talkover would use them.
 */
import type { DeliveryKit } from '../types.ts';

export const talkoverDeliveries: DeliveryKit = {
  testEvent: 'webhook.test',
  // A campaign webhook's sample names its campaign (docs/providers/talkover.md §3.3) instead of an agent.
  sample: (event, { now, webhook }) => ({
    event,
    ...(typeof webhook?.raw.campaign_id === 'string' ? { campaign_id: webhook.raw.campaign_id } : {}),
    agent_id: webhook?.agentId ?? null,
    agent_name: null,
    webhook_id: webhook?.id ?? null,
    webhook_name: webhook?.name ?? null,
    timestamp: now.toISOString(),
    test: true,
  }),
  webhookHeaders: (webhook) => customHeaders(webhook.raw.custom_headers),
  method: (webhook) => {
    const method = webhook.raw.http_method;
    return typeof method === 'string' && /^(POST|PUT|PATCH)$/.test(method) ? method : 'POST';
  },
};

/** Talkover's `custom_headers`: `[{key, value}]` (docs/providers/talkover.md §2.2). */
function customHeaders(value: unknown): Record<string, string> {
  if (!Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const item of value) {
    const { key, value: v } = (item ?? {}) as { key?: unknown; value?: unknown };
    if (typeof key === 'string' && typeof v === 'string') out[key] = v;
  }
  return out;
}
