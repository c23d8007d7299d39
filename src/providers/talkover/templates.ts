import { FieldError } from '../../errors.ts';

/**
 * A payload template file as the JSON object Talkover takes ("template objects supporting variable
 * interpolation", docs/providers/talkover.md §2.2). Used by the check and by the adapter, so both read it the same way.
 */
export function parseTemplate(event: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FieldError(
      'payloadTemplates',
      `${event}: the file is not JSON (${(error as Error).message}).`,
      {
        hint: 'A template is a JSON object, e.g. {"call": "{{call.id}}"}.',
      },
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FieldError('payloadTemplates', `${event}: the file must hold a JSON object.`);
  }
  return value as Record<string, unknown>;
}
