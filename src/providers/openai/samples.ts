/**
 * Sample OpenAI deliveries for `test --local` and the emulator: the event envelope `{object: "event", id:
 * "evt_…", type, created_at, data}` with thin `data` as OpenAI documents it for each family (docs/providers/
 * openai.md §6). `realtime.call.incoming` carries the SIP headers of the guide's example.
 */
import { randomBytes } from 'node:crypto';
import type { DeliveryKit } from '../types.ts';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** `evt_` and 32 hex digits, like `evt_685343a1381c819085d44c354e1b330e` in OpenAI's guide. */
export const newOpenAIEventId = () => `evt_${hex(16)}`;
/** `wh_` and 32 hex digits, like the guide's `webhook-id: wh_685342e6c53c8190a1be43f081506c52`. */
export const newOpenAIDeliveryId = () => `wh_${hex(16)}`;

function dataFor(event: string): Record<string, unknown> {
  const family = event.split('.')[0];
  switch (family) {
    case 'batch':
      return { id: `batch_${hex(12)}` };
    case 'response':
      return { id: `resp_${hex(24)}` };
    case 'eval':
      return { id: `evalrun_${hex(12)}` };
    case 'fine_tuning':
      return { id: `ftjob_${hex(12)}` };
    case 'video':
      return { id: `video_${hex(12)}` };
    case 'safety':
      return { id: `alert_${hex(16)}` };
    case 'realtime':
      return {
        call_id: `rtc_${hex(16)}`,
        sip_headers: [
          { name: 'From', value: 'sip:+142555512112@sip.example.com' },
          { name: 'To', value: 'sip:+18005551212@sip.example.com' },
          { name: 'Call-ID', value: '03782086-4ce9-44bf-8b0d-4e303d2cc590' },
        ],
      };
    default:
      if (event.startsWith('agent.session.')) {
        const session: Record<string, unknown> = { id: `sess_${hex(12)}`, environment_type: 'openai_hosted' };
        if (event === 'agent.session.action_required') {
          return { id: session.id, required_action: { type: 'function_call' } };
        }
        return session;
      }
      return { id: `env_${hex(12)}` };
  }
}

export function openaiSample(event: string, now: Date = new Date()): Record<string, unknown> {
  return {
    object: 'event',
    id: newOpenAIEventId(),
    type: event,
    created_at: Math.floor(now.getTime() / 1000),
    data: dataFor(event),
  };
}

/** OpenAI's deliveries as `test --local` sends them: the id receivers de-duplicate on is `webhook-id` (§7). */
export const openaiDeliveries: DeliveryKit = {
  sample: (event, { now }) => openaiSample(event, now),
  deliveryId: (_sample, headers) => headers['webhook-id'] ?? null,
};
