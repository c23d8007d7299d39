import type { EventType } from '../types.ts';

/**
 * Talkover's documented agent-webhook events (docs/providers/talkover.md §2.3, from the docs page of List Agent Webhooks).
 * The authoritative list is the live `available_events` of an agent, which `voicehooks events -p talkover`
 * shows when an agent is known; this catalog is what input is checked against before sending.
 */
export const TALKOVER_EVENTS: readonly EventType[] = [
  { name: 'event_phone_call_started', description: 'Phone call has started' },
  { name: 'event_phone_call_ended', description: 'Phone call has ended' },
  { name: 'event_phone_call_did_not_connect', description: 'Phone call did not connect' },
  { name: 'event_phone_call_connected', description: 'Phone call was connected' },
  { name: 'event_phone_call_disconnected', description: 'Phone call was disconnected' },
  { name: 'event_phone_call_error', description: 'Phone call failed with an error' },
  { name: 'event_participant_joined', description: 'A participant joined the call' },
  { name: 'event_participant_left', description: 'A participant left the call' },
  { name: 'event_voicemail_detected', description: 'Voicemail was detected' },
  { name: 'event_voicemail_message_left', description: 'A voicemail message was left' },
  { name: 'event_conversation_started', description: 'Conversation has started' },
  { name: 'event_conversation_ended', description: 'Conversation has ended' },
  { name: 'event_action', description: 'The agent ran an action' },
  { name: 'event_action_failed', description: 'An action of the agent failed' },
  { name: 'event_recording', description: 'A call recording is available' },
  { name: 'event_connection_established', description: 'Connection was established' },
  { name: 'event_connection_closed', description: 'Connection was closed' },
  { name: 'event_connection_error', description: 'Connection failed with an error' },
  { name: 'event_user_connected', description: 'A user connected' },
  { name: 'event_user_disconnected', description: 'A user disconnected' },
  { name: 'event_client_connected', description: 'A client connected' },
  { name: 'event_client_disconnected', description: 'A client disconnected' },
];

/**
 * Talkover's documented campaign-webhook events (docs/providers/talkover.md §3.3, from the `available_events`
 * array of the docs page of List Campaign Webhooks). The docs describe none of them; the descriptions say what
 * the names do. The last three are per-call events.
 */
export const TALKOVER_CAMPAIGN_EVENTS: readonly EventType[] = [
  { name: 'campaign.created', description: 'The campaign was created' },
  { name: 'campaign.started', description: 'The campaign started' },
  { name: 'campaign.paused', description: 'The campaign was paused' },
  { name: 'campaign.completed', description: 'The campaign completed' },
  { name: 'campaign.updated', description: 'The campaign settings changed' },
  { name: 'campaign_call.queued', description: 'A call of the campaign was queued' },
  { name: 'campaign_call.started', description: 'A call of the campaign started' },
  { name: 'campaign_call.completed', description: 'A call of the campaign completed' },
  { name: 'campaign_call.retry_scheduled', description: 'A retry of a call of the campaign was scheduled' },
  { name: 'campaign_call.failed', description: 'A call of the campaign failed' },
  { name: 'event_recording', description: 'A call recording is available (per-call)' },
  { name: 'event_call_transcript', description: 'A call transcript is available (per-call)' },
  { name: 'event_call_report', description: 'A post-call report is available (per-call)' },
];

/** The per-call events of the campaign catalog: delivered when `include_call_events` is on (§3.3). */
export const TALKOVER_PER_CALL_EVENTS: readonly string[] = [
  'event_recording',
  'event_call_transcript',
  'event_call_report',
];
