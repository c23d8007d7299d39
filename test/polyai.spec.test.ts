// Holds PolyAI's wire traffic against its own API reference, `test/specs/polyai.openapi.json`: every
// request the adapter sends for each webhook operation (method, path, `x-api-key`, query, body against the
// request schema with `additionalProperties: false`), and every answer the emulator gives (against the
// response schema of its status). The checker is test/helpers/json-schema.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RecordedRequest, RunningEmulator } from '../src/emulator/server.ts';
import { closeConnections } from '../src/http.ts';
import { createPolyAIEmulator } from '../src/providers/polyai/emulator.ts';
import type { PolyAIEmulator } from '../src/providers/polyai/emulator.ts';
import { polyai } from '../src/providers/polyai/index.ts';
import { CONTRACT_API_KEY, collect, makeAdapter } from './contract.ts';
import { resolveRef, validate } from './helpers/json-schema.ts';

const SPEC_URL = new URL('./specs/polyai.openapi.json', import.meta.url);
const spec = JSON.parse(readFileSync(SPEC_URL, 'utf8')) as OpenApi;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface OpenApi {
  security?: Record<string, string[]>[];
  components: { securitySchemes: Record<string, { type: string; in: string; name: string }> };
  paths: Record<string, Record<string, unknown>>;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: unknown;
}

interface Operation {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  parameters: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
  responses: Record<string, unknown>;
  security?: Record<string, string[]>[];
}

/** `$ref` objects resolved one level (parameters, responses and request bodies are referenced that way). */
const deref = <T>(value: unknown): T =>
  (value && typeof value === 'object' && '$ref' in value
    ? resolveRef(spec, String((value as { $ref: unknown }).$ref))
    : value) as T;

const operations: Operation[] = Object.entries(spec.paths).flatMap(([template, item]) =>
  METHODS.filter((method) => method in item).map((method) => {
    const op = item[method] as Record<string, unknown>;
    const names: string[] = [];
    const source = template
      .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace(/\{([^}]+)\}/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
    return {
      operationId: String(op.operationId),
      method: method.toUpperCase(),
      template,
      pattern: new RegExp(`^${source}$`),
      parameters: [...((item.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])].map(
        (p) => deref<Parameter>(p),
      ),
      requestBody: op.requestBody === undefined ? undefined : deref(op.requestBody),
      responses: op.responses as Record<string, unknown>,
      security: op.security as Operation['security'],
    };
  }),
);

function operationFor(method: string, path: string): { op: Operation; pathValues: string[] } | undefined {
  for (const op of operations) {
    const match = op.method === method ? op.pattern.exec(path) : null;
    if (match) return { op, pathValues: match.slice(1).map(decodeURIComponent) };
  }
  return undefined;
}

/** A query or path value as the type its schema names (query strings carry only text). */
function typed(raw: string, schema: unknown): unknown {
  const type = (deref<{ type?: string }>(schema) ?? {}).type;
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  return raw;
}

/** Every way a recorded request departs from the spec. */
function requestProblems(request: RecordedRequest, apiKey: string): string[] {
  const where = `${request.method} ${request.path}`;
  const found = operationFor(request.method, request.path);
  if (!found) return [`${where}: no such operation in the spec`];
  const { op, pathValues } = found;
  const problems: string[] = [];

  const pathParams = op.parameters.filter((p) => p.in === 'path');
  pathParams.forEach((param, i) => {
    problems.push(...validate(pathValues[i], param.schema, spec, `${where} path.${param.name}`));
  });

  for (const requirement of op.security ?? spec.security ?? []) {
    for (const name of Object.keys(requirement)) {
      const scheme = spec.components.securitySchemes[name];
      assert.ok(scheme?.type === 'apiKey' && scheme.in === 'header', `unsupported security scheme ${name}`);
      const sent = request.headers[scheme.name.toLowerCase()];
      if (sent !== apiKey) problems.push(`${where}: header ${scheme.name} is ${JSON.stringify(sent)}`);
    }
  }

  const query = new URLSearchParams(request.query);
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  for (const [name, raw] of query) {
    const param = queryParams.find((p) => p.name === name);
    if (!param) problems.push(`${where}: query parameter "${name}" is not in the spec`);
    else problems.push(...validate(typed(raw, param.schema), param.schema, spec, `${where} query.${name}`));
  }
  for (const param of queryParams) {
    if (param.required && !query.has(param.name)) problems.push(`${where}: query.${param.name} is missing`);
  }

  if (op.requestBody === undefined) {
    if (request.body !== '') problems.push(`${where}: a body was sent where the spec has none`);
    return problems;
  }
  if (request.body === '') {
    if (op.requestBody.required) problems.push(`${where}: the required body is missing`);
    return problems;
  }
  const type = String(request.headers['content-type'] ?? '').split(';')[0];
  const media = op.requestBody.content[type ?? ''];
  if (!media) return [...problems, `${where}: content type "${type}" is not in the spec`];
  problems.push(...validate(JSON.parse(request.body), media.schema, spec, `${where} body`));
  return problems;
}

/** Every way an answer departs from the response the spec declares for its status. */
function responseProblems(method: string, path: string, status: number, body: unknown): string[] {
  const where = `${method} ${path} → ${status}`;
  const found = operationFor(method, path);
  if (!found) return [`${where}: no such operation in the spec`];
  const declared = found.op.responses[String(status)];
  if (declared === undefined) return [`${where}: the spec declares no ${status} for ${found.op.operationId}`];
  const response = deref<{ content?: Record<string, { schema: unknown }> }>(declared);
  const schema = response.content?.['application/json']?.schema;
  if (schema === undefined) return body === undefined ? [] : [`${where}: a body where the spec has none`];
  return validate(body, schema, spec, where);
}

const schemaOf = (name: string) => resolveRef(spec, `#/components/schemas/${name}`);

describe('PolyAI spec: the schema checker', () => {
  it('accepts the spec example and refuses what the spec refuses', () => {
    const create = schemaOf('CreateWebhookEndpointRequest') as { example: Record<string, unknown> };
    const example = create.example;
    assert.deepEqual(validate(example, create, spec), []);
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ ...example, secret: 'x' }, /property "secret" is not allowed \(additionalProperties: false\)/],
      [{ ...example, name: undefined }, /required property "name" is missing/],
      [{ ...example, url: 'http://example.com/hooks' }, /does not match \^https:\/\//],
      [{ ...example, event_types: [] }, /fewer than 1 items/],
      [{ ...example, event_types: ['alerts.fired'] }, /is not one of/],
      [{ ...example, timeout_ms: 999 }, /less than 1000/],
      [{ ...example, timeout_ms: 1500.5 }, /expected integer, got number/],
      [{ ...example, headers: { 'X-A': 1 } }, /headers\.X-A: expected string/],
      [{ ...example, name: 'n'.repeat(256) }, /longer than 255/],
    ];
    for (const [body, pattern] of refused) {
      const clean = JSON.parse(JSON.stringify(body)) as unknown;
      assert.match(validate(clean, create, spec).join('\n'), pattern, JSON.stringify(body));
    }
    assert.match(
      validate({}, { minProperties: 1 }, spec).join(),
      /unsupported schema keyword "minProperties"/,
    );
  });
});

describe('PolyAI spec: requests the adapter sends', { timeout: 20_000 }, () => {
  let emulator: RunningEmulator;
  let state: PolyAIEmulator;

  before(async () => {
    state = createPolyAIEmulator({ apiKey: CONTRACT_API_KEY });
    emulator = await startEmulator({ providers: { polyai: state } });
  });
  after(async () => {
    await closeConnections();
    await emulator.close();
  });

  it('every webhook operation matches the spec: method, path, x-api-key, query and body', async () => {
    const adapter = await makeAdapter(polyai, emulator.baseUrl('polyai'), { region: 'eu' });
    const hook = await adapter.create({
      name: 'Spec alerts',
      url: 'https://example.com/hooks/polyai',
      events: ['alerts.triggered', 'alerts.resolved'],
      headers: { 'X-Custom-Header': 'my-value' },
      deliveryTimeout: 7,
      enabled: true,
    });
    await adapter.create({ name: 'Minimal', url: 'https://example.com/min', events: ['alerts.resolved'] });
    await collect(adapter.list());
    await collect(adapter.list({ enabled: false, event: 'alerts.triggered' }));
    await adapter.get(hook.id);
    await adapter.update(hook.id, { url: 'https://example.com/hooks/polyai-v2' });
    await adapter.update(hook.id, {
      name: 'Renamed',
      events: ['alerts.resolved'],
      headers: {},
      deliveryTimeout: 30,
      enabled: false,
    });
    await adapter.setEnabled?.(hook.id, true);
    await adapter.rotateSecret(hook.id, { revokeOld: false });
    await adapter.delete(hook.id);

    const requests = emulator.requests;
    assert.deepEqual(
      requests.flatMap((r) => requestProblems(r, CONTRACT_API_KEY)),
      [],
    );
    const covered = new Set(requests.map((r) => operationFor(r.method, r.path)?.op.operationId));
    assert.deepEqual(
      [...covered].sort(),
      operations.map((op) => op.operationId).sort(),
      'an operation of the spec went untried',
    );
    // Bodies carry exactly the fields given, named as the spec names them; a partial update sends one field.
    const bodies = requests.filter((r) => r.body !== '').map((r) => [r.method, JSON.parse(r.body)]);
    assert.deepEqual(bodies, [
      [
        'POST',
        {
          name: 'Spec alerts',
          url: 'https://example.com/hooks/polyai',
          event_types: ['alerts.triggered', 'alerts.resolved'],
          headers: { 'X-Custom-Header': 'my-value' },
          timeout_ms: 7000,
          enabled: true,
        },
      ],
      ['POST', { name: 'Minimal', url: 'https://example.com/min', event_types: ['alerts.resolved'] }],
      ['PATCH', { url: 'https://example.com/hooks/polyai-v2' }],
      [
        'PATCH',
        { name: 'Renamed', event_types: ['alerts.resolved'], headers: {}, timeout_ms: 30000, enabled: false },
      ],
      ['PATCH', { enabled: true }],
    ]);
  });

  it('a loopback http URL departs from the spec on purpose (emulator and listen), and the check sees it', async () => {
    emulator.requests.length = 0;
    const adapter = await makeAdapter(polyai, emulator.baseUrl('polyai'));
    await adapter.create({ name: 'Local', url: 'http://127.0.0.1:9/hook', events: ['alerts.triggered'] });
    const problems = emulator.requests.flatMap((r) => requestProblems(r, CONTRACT_API_KEY));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0] ?? '', /body\.url: "http:\/\/127\.0\.0\.1:9\/hook" does not match \^https:\/\//);
  });
});

describe('PolyAI spec: answers the emulator gives', { timeout: 20_000 }, () => {
  let emulator: RunningEmulator;
  let state: PolyAIEmulator;
  const problems: string[] = [];

  before(async () => {
    state = createPolyAIEmulator({ apiKey: CONTRACT_API_KEY });
    emulator = await startEmulator({ providers: { polyai: state } });
  });
  after(() => emulator.close());

  /** Sends one request straight to the emulator and checks its answer against the spec. */
  async function call(method: string, path: string, body?: unknown, key = CONTRACT_API_KEY) {
    const res = await fetch(`${emulator.baseUrl('polyai')}${path}`, {
      method,
      headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
    problems.push(...responseProblems(method, path.split('?')[0] ?? path, res.status, parsed));
    return { status: res.status, body: parsed as Record<string, unknown>, headers: res.headers };
  }

  it('every answer, errors included, has the shape the spec declares for its status', async () => {
    const valid = { name: 'A', url: 'https://example.com/a', event_types: ['alerts.triggered'] };
    const created = await call('POST', '/v1/webhook-endpoints', valid);
    assert.equal(created.status, 201);
    assert.equal(typeof created.body.signing_secret, 'string');
    const id = String(created.body.id);
    const item = `/v1/webhook-endpoints/${id}`;
    assert.equal((await call('GET', '/v1/webhook-endpoints')).status, 200);
    assert.equal(
      (await call('GET', '/v1/webhook-endpoints?enabled=true&event_type=alerts.resolved')).status,
      200,
    );
    const got = await call('GET', item);
    assert.equal(got.status, 200);
    assert.equal('signing_secret' in got.body, false, 'a read shows the signing secret');
    assert.equal((await call('PATCH', item, { enabled: false, timeout_ms: 30000 })).status, 200);
    assert.equal((await call('POST', `${item}/rotate-secret`)).status, 200);

    // Errors: the current envelope, with the correlation id also in X-PolyAI-Correlation-Id.
    const missing = await call('GET', '/v1/webhook-endpoints/whe_Missing0000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error_id, missing.headers.get('x-polyai-correlation-id'));
    assert.equal((await call('GET', '/v1/webhook-endpoints/not-an-id')).status, 422);
    assert.equal((await call('PATCH', '/v1/webhook-endpoints/whe-bad', { enabled: true })).status, 422);
    assert.equal((await call('DELETE', '/v1/webhook-endpoints/whe-bad')).status, 422);
    assert.equal((await call('POST', '/v1/webhook-endpoints/whe-bad/rotate-secret')).status, 422);
    assert.equal((await call('POST', '/v1/webhook-endpoints', { ...valid, secret: 'x' })).status, 400);
    assert.equal(
      (await call('POST', '/v1/webhook-endpoints', { ...valid, url: 'http://example.com' })).status,
      400,
    );
    assert.equal((await call('PATCH', item, { timeout_ms: 999 })).status, 400);
    assert.equal((await call('GET', '/v1/webhook-endpoints?enabled=maybe')).status, 400);
    assert.equal((await call('GET', '/v1/webhook-endpoints', undefined, '')).status, 401);
    assert.equal((await call('DELETE', item, undefined, '')).status, 401);
    state.seed(9);
    const full = await call('POST', '/v1/webhook-endpoints', valid);
    assert.equal(full.status, 409);
    assert.equal((await call('DELETE', item)).status, 204);
    assert.equal((await call('DELETE', item)).status, 404);

    assert.deepEqual(problems, []);
  });
});
