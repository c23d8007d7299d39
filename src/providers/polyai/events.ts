import type { EventType } from '../types.ts';

/** PolyAI's documented webhook events (docs/providers/polyai.md §3.2 `event_type`, §3.7 semantics). */
export const POLYAI_EVENTS: readonly EventType[] = [
  { name: 'alerts.triggered', description: 'An alert rule started firing.' },
  { name: 'alerts.resolved', description: 'A firing alert went back to the ok state.' },
];
