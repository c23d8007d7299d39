// Requests the Talkover adapter sends match Talkover's own OpenAPI document
// (`test/specs/talkover.openapi.json`): each request the emulator records while the adapter runs every
// operation is matched to the spec's operation by method and path template, and checked for the Bearer
// credential, the path parameters' formats and the body against the operation's request schema. Routes
// the spec lacks (logs, retry) and create fields it lacks are checked against the docs (docs/providers/talkover.md §2.2).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../src/emulator/server.ts';
import type { RecordedRequest, RunningEmulator } from '../src/emulator/server.ts';
import { closeConnections } from '../src/http.ts';
import { createTalkoverEmulator } from '../src/providers/talkover/emulator.ts';
import type { TalkoverEmulator } from '../src/providers/talkover/emulator.ts';
import { talkover } from '../src/providers/talkover/index.ts';
import { CONTRACT_API_KEY, collect, makeAdapter } from './contract.ts';

const SPEC_FILE = fileURLToPath(new URL('./specs/talkover.openapi.json', import.meta.url));
const AGENT = '9fbef0b7-8d4e-4a08-9207-66c22155721d';

// ---------------------------------------------------------------------------------------------------------
// A JSON-schema subset: what the spec's request schemas use (type, required, properties, items, enum,
// lengths, ranges, formats, $ref), and additionalProperties for the docs-extended schemas.

type Schema = {
  $ref?: string;
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
};

type Spec = {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    securitySchemes: Record<string, { type: string; scheme?: string }>;
  };
};
type Operation = {
  parameters?: { name: string; in: string; required?: boolean; schema: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
};

const FORMATS: Record<string, (v: string) => boolean> = {
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  uri: (v) => {
    try {
      return new URL(v).protocol.length > 1;
    } catch {
      return false;
    }
  },
  'date-time': (v) => !Number.isNaN(Date.parse(v)),
};

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Every way `value` breaks `schema`, as `path: problem` lines (none = valid). */
export function schemaProblems(value: unknown, schema: Schema, root: Spec, path = '$'): string[] {
  if (schema.$ref !== undefined) {
    const name = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name === undefined ? undefined : root.components.schemas[name];
    if (target === undefined) return [`${path}: unresolvable $ref ${schema.$ref}`];
    return schemaProblems(value, target, root, path);
  }
  const problems: string[] = [];
  const actual = typeOf(value);
  if (
    schema.type !== undefined &&
    actual !== schema.type &&
    !(schema.type === 'number' && actual === 'integer')
  ) {
    return [`${path}: expected ${schema.type}, got ${actual}`];
  }
  if (schema.enum !== undefined && !schema.enum.includes(value)) {
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      problems.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      problems.push(`${path}: longer than ${schema.maxLength}`);
    const check = schema.format === undefined ? undefined : FORMATS[schema.format];
    if (check !== undefined && !check(value)) problems.push(`${path}: not a ${schema.format ?? ''}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      problems.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      problems.push(`${path}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      problems.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      problems.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.items !== undefined) {
      const items = schema.items;
      value.forEach((item, i) => problems.push(...schemaProblems(item, items, root, `${path}[${i}]`)));
    }
  }
  if (actual === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in record)) problems.push(`${path}: missing required ${key}`);
    }
    for (const [key, item] of Object.entries(record)) {
      const property = schema.properties?.[key];
      if (property !== undefined) problems.push(...schemaProblems(item, property, root, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: unexpected property ${key}`);
      else if (typeof schema.additionalProperties === 'object') {
        problems.push(...schemaProblems(item, schema.additionalProperties, root, `${path}.${key}`));
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// The spec, and the docs' additions to it

const spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as Spec;

/**
 * Create fields the docs page has and the spec lacks (docs/providers/talkover.md §2.2: "absent from [TO-spec]"); with
 * them, a create or update body may hold nothing else.
 */
const DOCUMENTED_EXTRA_FIELDS: Record<string, Schema> = {
  http_method: { type: 'string', enum: ['POST', 'PUT', 'PATCH'] },
  authorization_scheme: { type: 'string', enum: ['none', 'bearer', 'basic', 'api_key', 'custom'] },
  custom_headers: {
    type: 'array',
    items: {
      type: 'object',
      required: ['key', 'value'],
      properties: { key: { type: 'string', minLength: 1 }, value: { type: 'string' } },
      additionalProperties: false,
    },
  },
  payload_templates: { type: 'object', additionalProperties: { type: 'object' } },
};

function withDocumentedFields(schema: Schema): Schema {
  const resolved =
    schema.$ref !== undefined ? spec.components.schemas[schema.$ref.split('/').pop() ?? ''] : schema;
  assert.ok(resolved?.properties, `no properties in ${JSON.stringify(schema)}`);
  return {
    ...resolved,
    properties: { ...resolved.properties, ...DOCUMENTED_EXTRA_FIELDS },
    additionalProperties: false,
  };
}

/** Routes only the docs describe (docs/providers/talkover.md §2.2 Logs, Retry log). */
const DOCUMENTED_ROUTES: Record<string, Record<string, Operation & { query?: Record<string, Schema> }>> = {
  '/agents/{agent_id}/webhooks/{webhook_id}/logs': {
    get: {
      parameters: [
        { name: 'agent_id', in: 'path', schema: { type: 'string', format: 'uuid' } },
        { name: 'webhook_id', in: 'path', schema: { type: 'string', format: 'uuid' } },
      ],
      query: {
        per_page: { type: 'integer', minimum: 1, maximum: 100 },
        page: { type: 'integer', minimum: 1 },
      },
    },
  },
  '/agents/{agent_id}/webhooks/{webhook_id}/logs/{log_id}/retry': {
    post: {
      parameters: [
        { name: 'agent_id', in: 'path', schema: { type: 'string', format: 'uuid' } },
        { name: 'webhook_id', in: 'path', schema: { type: 'string', format: 'uuid' } },
        { name: 'log_id', in: 'path', schema: { type: 'string', minLength: 1 } },
      ],
    },
  },
};

interface Matched {
  template: string;
  method: string;
  operation: Operation & { query?: Record<string, Schema> };
  params: Record<string, string>;
  documentedOnly: boolean;
}

function templateRegex(template: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${source}$`), names };
}

/** The one operation of the spec (or, failing that, of the docs) a request is for. */
function match(request: RecordedRequest): Matched {
  const found: Matched[] = [];
  for (const [source, documentedOnly] of [
    [spec.paths, false],
    [DOCUMENTED_ROUTES, true],
  ] as const) {
    for (const [template, operations] of Object.entries(source)) {
      const operation = operations[request.method.toLowerCase()];
      if (operation === undefined) continue;
      const { regex, names } = templateRegex(template);
      const m = regex.exec(request.path);
      if (m === null) continue;
      const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(m[i + 1] ?? '')]));
      found.push({ template, method: request.method, operation, params, documentedOnly });
    }
  }
  assert.equal(found.length, 1, `${request.method} ${request.path} matches ${found.length} operations`);
  return found[0] as Matched;
}

/** Every problem of one recorded request against its operation. */
function requestProblems(request: RecordedRequest, matched: Matched): string[] {
  const problems: string[] = [];
  const where = `${request.method} ${matched.template}`;
  // securitySchemes.sanctum: http bearer.
  if (request.headers.authorization !== `Bearer ${CONTRACT_API_KEY}`)
    problems.push(`${where}: no Bearer credential`);
  for (const parameter of matched.operation.parameters ?? []) {
    if (parameter.in !== 'path') continue;
    problems.push(
      ...schemaProblems(
        matched.params[parameter.name],
        parameter.schema,
        spec,
        `${where} {${parameter.name}}`,
      ),
    );
  }
  const query = new URLSearchParams(request.query);
  for (const [name, value] of query) {
    const schema = matched.operation.query?.[name];
    if (schema === undefined) problems.push(`${where}: undocumented query parameter ${name}`);
    else
      problems.push(
        ...schemaProblems(/^\d+$/.test(value) ? Number(value) : value, schema, spec, `${where} ?${name}`),
      );
  }
  const body = matched.operation.requestBody;
  if (body === undefined) {
    if (request.body !== '') problems.push(`${where}: a body where the operation has none`);
    return problems;
  }
  const media = body.content['application/json'];
  assert.ok(media, `${where} takes no JSON`);
  if (request.body === '')
    return body.required ? [...problems, `${where}: the required body is missing`] : problems;
  if (!String(request.headers['content-type']).startsWith('application/json'))
    problems.push(`${where}: not sent as JSON`);
  const parsed = JSON.parse(request.body) as unknown;
  problems.push(...schemaProblems(parsed, media.schema, spec, `${where} body`));
  const documented = media.schema.$ref?.endsWith('WebhookRequest')
    ? withDocumentedFields(media.schema)
    : undefined;
  if (documented !== undefined)
    problems.push(...schemaProblems(parsed, documented, spec, `${where} body (docs)`));
  return problems;
}

// ---------------------------------------------------------------------------------------------------------

describe('Talkover requests match the OpenAPI spec', { timeout: 20_000 }, () => {
  let emu: RunningEmulator;
  let state: TalkoverEmulator;
  let target: { url: string; close(): Promise<void> };

  before(async () => {
    state = createTalkoverEmulator({ apiKey: CONTRACT_API_KEY });
    emu = await startEmulator({ providers: { talkover: state } });
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
      close: async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  });
  after(async () => {
    await closeConnections();
    await emu.close();
    await target.close();
  });

  it('the checker finds what breaks a schema (so the checks below can fail)', () => {
    const create = { $ref: '#/components/schemas/CreateWebhookRequest' };
    assert.deepEqual(
      schemaProblems({ name: 'x', webhook_url: 'https://example.com', events: ['e'] }, create, spec),
      [],
    );
    assert.deepEqual(
      schemaProblems({ webhook_url: 'nope', events: [], timeout: 200, enabled: 'yes' }, create, spec),
      [
        '$: missing required name',
        '$.webhook_url: not a uri',
        '$.events: fewer than 1 items',
        '$.timeout: above 120',
        '$.enabled: expected boolean, got string',
      ],
    );
    const documented = withDocumentedFields(create);
    assert.deepEqual(
      schemaProblems(
        { name: 'x', webhook_url: 'https://e.com', events: ['e'], http_method: 'GET', extra: 1 },
        documented,
        spec,
      ),
      ['$.http_method: "GET" is not one of ["POST","PUT","PATCH"]', '$: unexpected property extra'],
    );
  });

  it('every operation the adapter runs sends what the spec (or the docs) describe', async () => {
    const adapter = await makeAdapter(talkover, emu.baseUrl('talkover'), { agent: AGENT });
    emu.requests.length = 0;
    await collect(adapter.list());
    await adapter.liveEvents?.();
    const minimal = await adapter.create({
      url: 'https://example.com/min',
      events: ['event_action'],
      name: 'Minimal',
    });
    const full = await adapter.create({
      url: target.url,
      events: ['event_phone_call_started', 'event_phone_call_ended'],
      name: 'Every field',
      secrets: ['a-signing-secret-123'],
      deliveryTimeout: 120,
      maxRetries: 0,
      enabled: true,
      httpMethod: 'post',
      authScheme: 'api_key',
      headers: { 'X-Api-Key': 'k-123' },
      payloadTemplates: { event_phone_call_ended: '{"id": "{{call.id}}"}' },
    });
    await adapter.get(full.id);
    await adapter.update(full.id, {
      url: target.url,
      events: ['event_recording'],
      deliveryTimeout: 5,
      maxRetries: 10,
    });
    await adapter.update(full.id, { name: 'Renamed', httpMethod: 'PATCH', headers: {} });
    await adapter.setEnabled?.(full.id, false);
    await adapter.flip?.(full.id);
    await adapter.rotateSecret(full.id, { revokeOld: false });
    await adapter.test?.(full.id);
    const [failed] = state.seedLogs(full.id, 3, { status: 'failed' });
    for await (const _ of adapter.logs?.(full.id, { perPage: 2 }) ?? []);
    await adapter.redeliver?.(full.id, failed?.id ?? '');
    await adapter.delete(minimal.id);

    const seen = new Set<string>();
    const problems: string[] = [];
    for (const request of emu.requests) {
      const matched = match(request);
      seen.add(`${matched.method} ${matched.template}`);
      problems.push(...requestProblems(request, matched));
    }
    assert.deepEqual(problems, []);

    const specOperations = Object.entries(spec.paths)
      .filter(([path]) => path.includes('/webhooks'))
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      );
    assert.equal(specOperations.length, 7);
    assert.deepEqual(
      specOperations.filter((operation) => !seen.has(operation)),
      [],
      'spec operations the adapter never ran',
    );
    for (const [path, operations] of Object.entries(DOCUMENTED_ROUTES)) {
      for (const method of Object.keys(operations))
        assert.ok(seen.has(`${method.toUpperCase()} ${path}`), path);
    }
  });

  it('the test body carries the webhook URL, as the spec requires and the docs page omits', async () => {
    const adapter = await makeAdapter(talkover, emu.baseUrl('talkover'), { agent: AGENT });
    const hook = await adapter.create({ url: target.url, events: ['event_action'], name: 'Test body' });
    emu.requests.length = 0;
    await adapter.test?.(hook.id);
    const post = emu.requests.find((r) => r.method === 'POST');
    assert.deepEqual(JSON.parse(post?.body ?? ''), { url: target.url });
  });
});
