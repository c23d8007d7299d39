/**
 * ElevenLabs' events as a user subscribes to them (docs/providers/elevenlabs.md, "Events"). ElevenLabs has two
 * places where a workspace webhook is told what to send, and one catalog covers both:
 *
 * - post-call events of ElevenLabs Agents: switches (`WebhookEventType`) in the ConvAI settings' `webhooks`
 *   object, workspace-wide, or in one agent's `platform_settings.workspace_overrides.webhooks`. The settings
 *   point at one webhook (`post_call_webhook_id`); subscribing to one of these attaches the webhook there.
 * - workspace events: the webhook's own `events` list (`WorkspaceWebhookEventType`), set by a PATCH of it.
 *
 * The catalog names the post-call events by the `type` their deliveries carry, where ElevenLabs documents it
 * (`post_call_transcription`, `post_call_audio`, `call_initiation_failure`). The deliveries of the two
 * unredacted switches have no documented `type`, so those keep the switch's own name rather than a guess.
 */
import type { EventType } from '../types.ts';

export interface ElevenLabsEvent extends EventType {
  /** Where a subscription lives: a ConvAI settings switch, or the webhook's own `events`. */
  kind: 'post-call' | 'workspace';
  /** The value sent on the wire: the `WebhookEventType` switch, or the `WorkspaceWebhookEventType`. */
  wire: string;
}

export const ELEVENLABS_EVENTS: readonly ElevenLabsEvent[] = [
  {
    name: 'post_call_transcription',
    kind: 'post-call',
    wire: 'transcript',
    description:
      'An agent call ended and its analysis is done: transcript, metadata and analysis (post-call).',
  },
  {
    name: 'post_call_audio',
    kind: 'post-call',
    wire: 'audio',
    description: "An agent call's full audio, base64 MP3, sent chunked (post-call).",
  },
  {
    name: 'call_initiation_failure',
    kind: 'post-call',
    wire: 'call_initiation_failure',
    description: 'An agent call could not be started, with the reason (post-call).',
  },
  {
    name: 'unredacted_transcript',
    kind: 'post-call',
    wire: 'unredacted_transcript',
    description: 'The transcript before redaction (post-call; ElevenLabs documents no payload type for it).',
  },
  {
    name: 'unredacted_audio',
    kind: 'post-call',
    wire: 'unredacted_audio',
    description: 'The audio before redaction (post-call; ElevenLabs documents no payload type for it).',
  },
  {
    name: 'speech_to_text',
    kind: 'workspace',
    wire: 'speech_to_text',
    description: 'A speech-to-text job that asked for a webhook finished (workspace).',
  },
  {
    name: 'agent_qa',
    kind: 'workspace',
    wire: 'agent_qa',
    description: 'An agent QA evaluation finished (workspace).',
  },
  {
    name: 'flows',
    kind: 'workspace',
    wire: 'flows',
    description: 'A flows generation (image, speech, video) reached its end (workspace).',
  },
  {
    name: 'voice_library_removal_notice',
    kind: 'workspace',
    wire: 'voice_library_removal_notice',
    description:
      'A shared voice you use is to be removed, no longer is, or was removed: voice_removal_notice, ' +
      'voice_removal_notice_withdrawn, voice_removed (workspace).',
  },
];

const byName = new Map(ELEVENLABS_EVENTS.map((e) => [e.name, e]));

/** The catalog names split by where they are subscribed, each as its wire value. */
export function splitEvents(names: readonly string[]): { postCall: string[]; workspace: string[] } {
  const postCall: string[] = [];
  const workspace: string[] = [];
  for (const name of names) {
    const event = byName.get(name);
    if (event?.kind === 'post-call') postCall.push(event.wire);
    else if (event?.kind === 'workspace') workspace.push(event.wire);
  }
  return { postCall, workspace };
}

/** Catalog names of wire values (a ConvAI switch or a workspace event); unknown values keep their own name. */
export function catalogNames(wire: readonly string[], kind: ElevenLabsEvent['kind']): string[] {
  return wire.map(
    (value) => ELEVENLABS_EVENTS.find((e) => e.kind === kind && e.wire === value)?.name ?? value,
  );
}
