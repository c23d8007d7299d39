/**
 * Sample Daily deliveries for `test`, in Daily's envelope `{version, type, id, payload, event_ts}`
 * (docs/providers/daily.md §4.6). The payloads of meeting.*, participant.* and recording.* are the documented ones (the
 * same objects the emulator sends, from `events.ts`); waiting-participant.* takes the participant fields its
 * docs list. Daily documents no payload for the other families (streaming, batch-processor, dial-in/out,
 * transcript, call transfer): they get a generic well-formed payload (room, instance or session id, time and,
 * for `*.error`, an error message), enough to exercise a receiver's routing and signature check.
 */
import { firstString } from '../../records.ts';
import type { DeliveryKit } from '../types.ts';
import { randomUUID } from 'node:crypto';
import { DAILY_SAMPLE_PAYLOADS } from './events.ts';

const ROOM = 'voicehooks-sample-room';

function genericPayload(event: string, eventTs: number): Record<string, unknown> {
  const [family = '', action = ''] = event.split('.');
  const error = action === 'error' ? { error_msg: `Sample ${family} error sent by voicehooks.` } : {};
  const warning = action === 'warning' ? { warning_msg: `Sample ${family} warning sent by voicehooks.` } : {};
  switch (family) {
    case 'waiting-participant':
      return {
        joined_at: eventTs - 5,
        session_id: randomUUID(),
        room: ROOM,
        user_id: 'user-1',
        user_name: 'Sample participant',
        owner: false,
        will_eject_at: null,
        permissions: { hasPresence: true, canSend: true, canAdmin: false },
      };
    case 'dialin':
    case 'dialout':
    case 'calltransfer':
      return { session_id: randomUUID(), room: ROOM, timestamp: eventTs, ...error, ...warning };
    case 'batch-processor':
      return {
        id: randomUUID(),
        status: action === 'error' ? 'error' : 'finished',
        timestamp: eventTs,
        ...error,
      };
    default:
      // streaming.*, transcript.*: the instance and room, as recording.* has them.
      return { instance_id: randomUUID(), room_name: ROOM, timestamp: eventTs, ...error };
  }
}

export function dailySample(event: string, now: Date = new Date()): Record<string, unknown> {
  const eventTs = Math.floor(now.getTime() / 1000);
  return {
    version: '1.0.0',
    type: event,
    // Shaped like the documented example's `rec-rtd-<uuid>-<event_ts>`.
    id: `${event.replace(/[^a-z]+/g, '-')}-${randomUUID()}-${eventTs}`,
    payload: structuredClone(DAILY_SAMPLE_PAYLOADS[event]) ?? genericPayload(event, eventTs),
    event_ts: eventTs,
  };
}

/** Daily's deliveries as `test` sends them. */
export const dailyDeliveries: DeliveryKit = {
  sample: (event, { now }) => dailySample(event, now),
  // Daily sends `Authorization: Basic <basicAuth>` when the webhook has one (docs/providers/daily.md §4.2).
  authHeaders: (webhook): Record<string, string> => {
    const basicAuth = webhook.raw.basicAuth;
    return typeof basicAuth === 'string' && basicAuth !== '' ? { Authorization: `Basic ${basicAuth}` } : {};
  },
  deliveryId: (sample) => firstString(sample.id),
};
