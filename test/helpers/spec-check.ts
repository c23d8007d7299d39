/**
 * The spec check of the contract suite: a recorded request is held against the provider's own API description
 * (vendored in test/specs/): it must be an operation of the file (method and path), carry the credential the
 * file's security scheme names, send only the query parameters the operation declares (each valid), and send a
 * body only where the operation takes one, valid against its schema. An answer is held against the response the
 * operation declares for its status (or `default`). The schema checker is ./json-schema.ts.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { RecordedRequest } from '../../src/emulator/server.ts';
import { resolveRef, validate } from './json-schema.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface OpenApi {
  security?: Record<string, string[]>[];
  components?: { securitySchemes?: Record<string, SecurityScheme> };
  paths: Record<string, Record<string, unknown>>;
}

interface SecurityScheme {
  type: string;
  in?: string;
  name?: string;
  scheme?: string;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: unknown;
}

interface Operation {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  parameters: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: unknown }> };
  responses: Record<string, unknown>;
  security?: Record<string, string[]>[];
}

export interface SpecChecker {
  /** Every way the request departs from the file; [] when it is an operation of it, sent as the file says. */
  problems(request: RecordedRequest, apiKey: string): string[];
  /** How many operations the file has (a file without any would check nothing). */
  operations: number;
  /** Every operationId of the file, and the one a request is (undefined when none): what a run left untried. */
  operationIds: string[];
  operationIdOf(method: string, path: string): string | undefined;
  /** Every way an answer (an emulator's) departs from the response the operation declares for its status (or `default`). */
  answerProblems(method: string, path: string, status: number, body: unknown): string[];
  /** The parsed file, for checks of its own schemas (`#/components/schemas/…`). */
  document: unknown;
}

/** Loads a file of test/specs/ (JSON or YAML) and makes its checker. */
export function specChecker(file: string): SpecChecker {
  const url = new URL(`../specs/${file}`, import.meta.url);
  const text = readFileSync(url, 'utf8');
  const spec = (file.endsWith('.json') ? JSON.parse(text) : parse(text)) as OpenApi;
  const deref = <T>(value: unknown): T =>
    (value && typeof value === 'object' && '$ref' in value
      ? resolveRef(spec, String((value as { $ref: unknown }).$ref))
      : value) as T;

  const operations: Operation[] = Object.entries(spec.paths).flatMap(([template, item]) =>
    METHODS.filter((method) => method in item).map((method) => {
      const op = item[method] as Record<string, unknown>;
      const source = template
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\\\{[^}]+\\\}|\{[^}]+\}/g, '([^/]+)');
      return {
        operationId: String(op.operationId),
        method: method.toUpperCase(),
        template,
        // A trailing slash is the same resource (Django's `/api/webhooks/` and the client's `/api/webhooks`).
        pattern: new RegExp(`^${source.replace(/\/$/, '')}/?$`),
        parameters: [
          ...((item.parameters as unknown[] | undefined) ?? []),
          ...((op.parameters as unknown[] | undefined) ?? []),
        ].map((p) => deref<Parameter>(p)),
        requestBody: op.requestBody === undefined ? undefined : deref(op.requestBody),
        responses: (op.responses as Record<string, unknown> | undefined) ?? {},
        security: op.security as Operation['security'],
      };
    }),
  );
  // Literal segments before templated ones: `/webhooks/test` is not `/webhooks/{id}`.
  const templated = (op: Operation) => op.template.split('{').length;
  operations.sort((a, b) => templated(a) - templated(b));

  const typed = (raw: string, schema: unknown): unknown => {
    const type = (deref<{ type?: string }>(schema) ?? {}).type;
    if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
    if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    return raw;
  };

  const credentialProblems = (op: Operation, request: RecordedRequest, apiKey: string, where: string) => {
    const requirements = op.security ?? spec.security ?? [];
    if (requirements.length === 0) return [];
    // Any one requirement satisfied is enough (OpenAPI: the list is alternatives).
    const attempts = requirements.map((requirement) =>
      Object.keys(requirement).flatMap((name) => {
        const scheme = spec.components?.securitySchemes?.[name];
        if (scheme?.type === 'apiKey' && scheme.in === 'header' && scheme.name) {
          const sent = request.headers[scheme.name.toLowerCase()];
          const ok = sent === apiKey || (typeof sent === 'string' && sent.endsWith(` ${apiKey}`));
          return ok ? [] : [`header ${scheme.name} is ${JSON.stringify(sent)}`];
        }
        if (scheme?.type === 'http' && scheme.scheme?.toLowerCase() === 'bearer') {
          const sent = request.headers.authorization;
          return sent === `Bearer ${apiKey}` ? [] : [`Authorization is ${JSON.stringify(sent)}`];
        }
        return [`security scheme ${name} (${scheme?.type ?? 'undefined'}) is not one the check knows`];
      }),
    );
    return attempts.some((a) => a.length === 0) ? [] : [`${where}: ${attempts[0]?.join('; ')}`];
  };

  const matchOf = (method: string, path: string): { op: Operation; values: string[] } | undefined => {
    for (const op of operations) {
      const found = op.method === method ? op.pattern.exec(path) : null;
      if (found) return { op, values: found.slice(1).map((v) => decodeURIComponent(v)) };
    }
    return undefined;
  };

  return {
    operations: operations.length,
    operationIds: operations.map((op) => op.operationId),
    operationIdOf: (method, path) => matchOf(method, path)?.op.operationId,
    document: spec,
    answerProblems(method, path, status, body) {
      const where = `${method} ${path} → ${status}`;
      const match = matchOf(method, path);
      if (!match) return [`${where}: no such operation in the spec`];
      const declared = match.op.responses[String(status)] ?? match.op.responses.default;
      if (declared === undefined)
        return [`${where}: the spec declares no ${status} for ${match.op.operationId}`];
      const schema = deref<{ content?: Record<string, { schema?: unknown }> }>(declared).content?.[
        'application/json'
      ]?.schema;
      if (schema === undefined) return body === undefined ? [] : [`${where}: a body where the spec has none`];
      return validate(body, schema, spec, where, { direction: 'response' });
    },
    problems(request, apiKey) {
      const where = `${request.method} ${request.path}`;
      const match = matchOf(request.method, request.path);
      if (!match) return [`${where}: no such operation in the spec`];
      const { op, values } = match;
      const problems = credentialProblems(op, request, apiKey, where);

      op.parameters
        .filter((p) => p.in === 'path')
        .forEach((param, i) => {
          if (param.schema !== undefined) {
            problems.push(...validate(values[i], param.schema, spec, `${where} path.${param.name}`));
          }
        });

      const query = new URLSearchParams(request.query);
      const queryParams = op.parameters.filter((p) => p.in === 'query');
      for (const [name, raw] of query) {
        const param = queryParams.find((p) => p.name === name);
        if (!param) problems.push(`${where}: query parameter "${name}" is not in the spec`);
        else if (param.schema !== undefined) {
          problems.push(...validate(typed(raw, param.schema), param.schema, spec, `${where} query.${name}`));
        }
      }
      for (const param of queryParams) {
        if (param.required && !query.has(param.name))
          problems.push(`${where}: query.${param.name} is missing`);
      }

      if (op.requestBody === undefined) {
        if (request.body !== '') problems.push(`${where}: a body was sent where the spec has none`);
        return problems;
      }
      if (request.body === '') {
        if (op.requestBody.required) problems.push(`${where}: the required body is missing`);
        return problems;
      }
      const type = String(request.headers['content-type'] ?? '').split(';')[0] ?? '';
      const media = op.requestBody.content[type];
      if (!media) return [...problems, `${where}: content type "${type}" is not in the spec`];
      let body: unknown;
      try {
        body = JSON.parse(request.body);
      } catch {
        return [...problems, `${where}: the body is not JSON`];
      }
      if (media.schema !== undefined) {
        problems.push(...validate(body, media.schema, spec, `${where} body`, { direction: 'request' }));
      }
      return problems;
    },
  };
}
