/**
 * Sample Ultravox deliveries for `test`: `{"event": "<name>", "call": <Call>}`, where the call is the object
 * `GET /api/calls/{call_id}` returns (docs/providers/ultravox.md §1.7; fields from the spec's `components.schemas.Call`).
 * The call is at the stage the event marks: created for `call.started`, joined for `call.joined`, ended
 * for `call.ended` (billing possibly not final) and billed for `call.billed` (billing always present).
 */
import { asRecord, firstString } from '../../records.ts';
import type { DeliveryKit } from '../types.ts';
import { randomUUID } from 'node:crypto';

const STAGE: Readonly<Record<string, number>> = {
  'call.started': 0,
  'call.joined': 1,
  'call.ended': 2,
  'call.billed': 3,
};

export function ultravoxSample(event: string, now: Date = new Date()): Record<string, unknown> {
  const stage = STAGE[event] ?? 0;
  const at = (secondsBeforeNow: number) => new Date(now.getTime() - secondsBeforeNow * 1000).toISOString();
  const callId = randomUUID();
  const agentId = '7b3c1d2e-4f5a-4b6c-8d9e-0a1b2c3d4e5f';
  const call = {
    callId,
    clientVersion: stage >= 1 ? 'ultravox-client-js/0.3.6' : null,
    created: at(stage >= 2 ? 95 : 2),
    joined: stage >= 1 ? at(stage >= 2 ? 93 : 0) : null,
    ended: stage >= 2 ? at(1) : null,
    endReason: stage >= 2 ? 'hangup' : null,
    billedDuration: stage >= 3 ? '92.000s' : null,
    billedSideInputTokens: stage >= 3 ? 0 : null,
    billedSideOutputTokens: stage >= 3 ? 0 : null,
    billingStatus: stage >= 3 ? 'BILLING_STATUS_BILLED' : 'BILLING_STATUS_PENDING',
    firstSpeaker: 'FIRST_SPEAKER_AGENT',
    firstSpeakerSettings: { agent: { text: 'Hello! How can I help you today?' } },
    inactivityMessages: [],
    initialOutputMedium: 'MESSAGE_MEDIUM_VOICE',
    joinTimeout: '30s',
    joinUrl: stage === 0 ? `wss://voice.ultravox.ai/calls/${callId}/server_web_socket` : null,
    languageHint: 'en',
    maxDuration: '3600s',
    medium: { webRtc: {} },
    model: 'ultravox-v0.7',
    recordingEnabled: false,
    retentionPolicy: 'retain',
    systemPrompt: 'You are a friendly assistant for a test call sent by voicehooks.',
    temperature: 0.4,
    timeExceededMessage: null,
    voice: 'Mark',
    transcriptOptional: true,
    vadSettings: null,
    shortSummary: stage >= 2 ? 'The caller asked about opening hours.' : null,
    summary: stage >= 2 ? 'The caller asked when the shop opens; the agent answered 9 am to 5 pm.' : null,
    agent: { agentId, name: 'voicehooks-sample-agent' },
    agentId,
    experimentalSettings: null,
    metadata: { source: 'voicehooks test' },
    initialState: {},
    requestContext: null,
    sipDetails: null,
  };
  return { event, call };
}

/** Ultravox's deliveries as `test` sends them; a receiver de-duplicates on the call id. */
export const ultravoxDeliveries: DeliveryKit = {
  sample: (event, { now }) => ultravoxSample(event, now),
  deliveryId: (sample) => firstString(asRecord(sample.call).callId),
};
