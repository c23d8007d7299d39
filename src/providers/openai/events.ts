import type { EventType } from '../types.ts';

/**
 * The event types a webhook endpoint can subscribe to (`ProjectEventTypeEnum`, the 27 values of OpenAI's
 * reference page, in its order; docs/providers/openai.md §6). With a key set, `voicehooks events -p openai`
 * shows the project's live list from `GET /webhook_event_types` instead.
 */
export const OPENAI_EVENTS: readonly EventType[] = [
  { name: 'batch.completed', description: 'A batch API request has been completed.' },
  { name: 'batch.failed', description: 'A batch API request has failed.' },
  { name: 'batch.expired', description: 'A batch API request has expired.' },
  { name: 'batch.cancelled', description: 'A batch API request has been cancelled.' },
  { name: 'response.completed', description: 'A background response has been completed.' },
  { name: 'response.failed', description: 'A background response has failed.' },
  { name: 'response.cancelled', description: 'A background response has been cancelled.' },
  { name: 'response.incomplete', description: 'A background response has been interrupted.' },
  { name: 'eval.run.succeeded', description: 'An eval run has succeeded.' },
  { name: 'eval.run.failed', description: 'An eval run has failed.' },
  { name: 'eval.run.canceled', description: 'An eval run has been canceled.' },
  { name: 'fine_tuning.job.succeeded', description: 'A fine-tuning job has succeeded.' },
  { name: 'fine_tuning.job.failed', description: 'A fine-tuning job has failed.' },
  { name: 'fine_tuning.job.cancelled', description: 'A fine-tuning job has been cancelled.' },
  {
    name: 'realtime.call.incoming',
    description: 'An incoming SIP call is waiting to be accepted or rejected through the Realtime API.',
  },
  { name: 'video.completed', description: 'A video generation job has completed.' },
  { name: 'video.failed', description: 'A video generation job has failed.' },
  {
    name: 'agent.environment.ready',
    description: 'A prewarmed OpenAI-hosted environment finished setup.',
  },
  { name: 'agent.environment.failed', description: 'Setup of a prewarmed OpenAI-hosted environment failed.' },
  {
    name: 'agent.environment.suspended',
    description: 'An agent environment was suspended; it can resume from a snapshot.',
  },
  { name: 'agent.environment.expired', description: 'An agent environment expired; it cannot resume.' },
  { name: 'agent.session.created', description: 'An agent session was created.' },
  { name: 'agent.session.action_required', description: 'An agent session requires an action.' },
  { name: 'agent.session.in_progress', description: 'An agent session is in progress.' },
  { name: 'agent.session.idle', description: 'An agent session is idle.' },
  { name: 'agent.session.failed', description: 'An agent session failed.' },
  {
    name: 'safety.alert.created',
    description: 'An approved safety alert is available for the project.',
  },
];
