/**
 * Sample PolyAI deliveries for `test`: `{"event_type": "alerts.triggered"|"alerts.resolved", "alert": {…}}`
 * with the `WebhookAlert` fields of the last published alerts spec (docs/providers/polyai.md §3.7; PolyAI removed the
 * payload schemas on 2026-05-29 and documents none today, so this is the last-known shape).
 */
import { stringRecord } from '../../records.ts';
import type { DeliveryKit } from '../types.ts';
import { randomBytes } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alertId = () => `ar_${Array.from(randomBytes(22), (b) => BASE62[b % BASE62.length]).join('')}`;

export function polyaiSample(event: string, now: Date = new Date()): Record<string, unknown> {
  const resolved = event === 'alerts.resolved';
  return {
    event_type: event,
    alert: {
      id: alertId(),
      name: 'High turn latency (p95)',
      project_id: 'proj_abc123',
      metric: 'turn_latency_p95',
      operator: '>=',
      threshold_value: 1500,
      // Firing: above the threshold, coming from ok. Resolved: back under it, coming from alert.
      current_value: resolved ? 1210 : 1823,
      previous_state: resolved ? 'alert' : 'ok',
      triggered_at: new Date(now.getTime() - (resolved ? 900_000 : 0))
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
    },
  };
}

/** PolyAI's deliveries as `test` sends them. */
export const polyaiDeliveries: DeliveryKit = {
  sample: (event, { now }) => polyaiSample(event, now),
  // PolyAI sends the endpoint's custom headers with every delivery (docs/providers/polyai.md §3.3, §3.5).
  webhookHeaders: (webhook) => stringRecord(webhook.raw.headers),
  deliveryId: (_sample, headers) => headers['X-PolyAI-Event-ID'] ?? null,
};
