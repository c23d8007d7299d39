import type { EventType } from '../types.ts';

/** Ultravox's documented webhook events (docs/providers/ultravox.md §1.3 `EventsEnum`, §1.7 semantics). */
export const ULTRAVOX_EVENTS: readonly EventType[] = [
  { name: 'call.started', description: 'A call was created.' },
  { name: 'call.joined', description: 'A client joined the call.' },
  { name: 'call.ended', description: 'The call ended (also for unjoined calls at the join timeout).' },
  { name: 'call.billed', description: 'The call was billed; billing information is final.' },
];
