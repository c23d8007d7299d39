/**
 * Sample ElevenLabs deliveries for `test`, `send` and the emulator: the envelope `{type, event_timestamp, data}`
 * (Unix seconds). The post-call shapes follow ElevenLabs' documented examples (docs/providers/elevenlabs.md,
 * "Payloads"). Where ElevenLabs documents no payload (call initiation failures' fields, the unredacted
 * switches, speech to text, agent QA, flows, voice-library notices), the shape is the closest documented one,
 * and the guide says which parts are assumed.
 */
import { randomBytes } from 'node:crypto';
import type { DeliveryKit } from '../types.ts';

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';
const token = (prefix: string, length: number) =>
  `${prefix}${Array.from(randomBytes(length), (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('')}`;

/** The payload `type` of each catalog event's deliveries (the voice-library subscription sends three). */
export function payloadType(event: string): string {
  switch (event) {
    // The unredacted switches document no type of their own: their redacted counterpart's is assumed.
    case 'unredacted_transcript':
      return 'post_call_transcription';
    case 'unredacted_audio':
      return 'post_call_audio';
    // Third-party consumers read this type; ElevenLabs' own guide shows none.
    case 'speech_to_text':
      return 'speech_to_text_transcription';
    case 'voice_library_removal_notice':
      return 'voice_removal_notice';
    default:
      return event;
  }
}

export function elevenlabsSample(
  event: string,
  now: Date = new Date(),
  agentId = 'agent_7101k5zvyjhmfg983brhmhkd98n6',
): Record<string, unknown> {
  const seconds = Math.floor(now.getTime() / 1000);
  const conversationId = token('conv_', 24);
  const call = { agent_id: agentId, conversation_id: conversationId };
  let data: Record<string, unknown>;
  switch (event) {
    case 'post_call_transcription':
    case 'unredacted_transcript':
      data = {
        ...call,
        status: 'done',
        user_id: 'user123',
        transcript: [
          {
            role: 'agent',
            message: 'Hello, how can I help you today?',
            tool_calls: null,
            tool_results: null,
            feedback: null,
            time_in_call_secs: 0,
            conversation_turn_metrics: null,
          },
          {
            role: 'user',
            message: 'I would like to check my order.',
            tool_calls: null,
            tool_results: null,
            feedback: null,
            time_in_call_secs: 3,
            conversation_turn_metrics: null,
          },
        ],
        metadata: {
          start_time_unix_secs: seconds - 22,
          call_duration_secs: 22,
          cost: 296,
          termination_reason: 'end_call tool was called.',
        },
        analysis: {
          evaluation_criteria_results: {},
          data_collection_results: {},
          call_successful: 'success',
          transcript_summary: 'The caller asked about an order.',
        },
        conversation_initiation_client_data: { dynamic_variables: { user_name: 'angelo' } },
        has_audio: true,
        has_user_audio: true,
        has_response_audio: true,
      };
      break;
    case 'post_call_audio':
    case 'unredacted_audio':
      // A few bytes of an MP3 header: the real one is the whole call, base64, sent chunked.
      data = {
        ...call,
        full_audio: Buffer.from('ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0000').toString('base64'),
      };
      break;
    case 'call_initiation_failure':
      data = { ...call, failure_reason: 'busy', metadata: { type: 'twilio', body: {} } };
      break;
    case 'speech_to_text':
      data = {
        request_id: token('', 20),
        webhook_metadata: null,
        transcription: { language_code: 'en', language_probability: 0.98, text: 'Hello world.', words: [] },
      };
      break;
    case 'agent_qa':
      data = { ...call, evaluation_criteria_results: {}, call_successful: 'success' };
      break;
    case 'flows':
      data = { request_id: token('', 20), status: 'completed' };
      break;
    case 'voice_library_removal_notice':
      data = {
        voice_id: token('', 20),
        name: 'Shared voice',
        removal_date_unix: seconds + 30 * 86_400,
      };
      break;
    default:
      data = {};
  }
  return { type: payloadType(event), event_timestamp: seconds, data };
}

/** ElevenLabs' deliveries as `test` sends them (no custom headers: ElevenLabs never shows them back). */
export const elevenlabsDeliveries: DeliveryKit = {
  sample: (event, { now, webhook }) => elevenlabsSample(event, now, webhook?.agentId ?? undefined),
  // No event id exists: a post-call delivery is told apart by its conversation.
  deliveryId: (sample) => {
    const conversation = (sample.data as { conversation_id?: unknown } | undefined)?.conversation_id;
    return typeof conversation === 'string' ? conversation : null;
  },
};
