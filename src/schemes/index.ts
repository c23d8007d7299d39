/**
 * Signature schemes that are standards rather than one provider's own: a provider's descriptor names one
 * (`signatureScheme`), and `--scheme NAME` uses one directly on `sign`, `verify` and `listen`, in place of
 * `-p`, for any platform that follows it. Each is loaded on first use.
 */
import { Flags } from '@oclif/core';
import type { ReceiverKit } from '../providers/types.ts';
import { asRecord, firstString } from '../records.ts';
import type { SignatureScheme } from '../signature-types.ts';

export const SCHEME_NAMES = ['standard-webhooks'] as const;
export type SchemeName = (typeof SCHEME_NAMES)[number];

const LOADERS: Record<SchemeName, () => Promise<SignatureScheme>> = {
  'standard-webhooks': async () => (await import('./standard-webhooks.ts')).standardWebhooksSignature,
};

export function loadNamedScheme(name: SchemeName): Promise<SignatureScheme> {
  return LOADERS[name]();
}

/** `--scheme` on `sign`, `verify` and `listen`: a standard scheme instead of a provider. */
export const schemeFlag = Flags.string({
  summary: 'Sign or check with this standard scheme instead of a provider (in place of -p).',
  options: [...SCHEME_NAMES],
  exclusive: ['provider'],
  helpGroup: 'GLOBAL',
});

/**
 * Where a delivery checked with a scheme alone (`listen --scheme`) names its event and its id: `type`, the
 * Standard Webhooks convention, else `event`; the scheme's id header, else the body's `id`.
 */
export function schemeReceiver(scheme: SignatureScheme): ReceiverKit {
  return {
    eventOf: (body) => firstString(asRecord(body).type, asRecord(body).event),
    idOf: (body, headers) =>
      firstString(scheme.idHeader && headers[scheme.idHeader.toLowerCase()], asRecord(body).id),
  };
}
