/**
 * OpenAI signs its deliveries with Standard Webhooks (docs/providers/openai.md §4): the shared scheme module,
 * used as it is (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`, `whsec_` secrets,
 * 300 s both ways, several signatures while an old secret is kept).
 */
export { standardWebhooksSignature as openaiSignature } from '../../schemes/standard-webhooks.ts';
