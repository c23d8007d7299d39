/**
 * Holds recorded requests and emulator answers against an OpenAPI document vendored in `test/specs/`: each
 * request is matched to an operation (method and path template), its API-key header, path and query
 * parameters and JSON body are validated against the operation's schemas, and an answer against the response
 * its status declares. The schema checker is `./json-schema.ts`.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { RecordedRequest } from '../../src/emulator/server.ts';
import { resolveRef, validate } from './json-schema.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: unknown;
}

export interface Operation {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  parameters: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
  responses: Record<string, unknown>;
  security?: Record<string, string[]>[];
}

interface Document {
  security?: Record<string, string[]>[];
  components: {
    securitySchemes?: Record<string, { type: string; in: string; name: string }>;
    schemas: Record<string, unknown>;
  };
  paths: Record<string, Record<string, unknown>>;
}

export interface OpenApiCheck {
  readonly spec: Document;
  readonly operations: Operation[];
  operationFor(method: string, path: string): { op: Operation; pathValues: string[] } | undefined;
  /** Every way a recorded request departs from the spec; `apiKey` is the key the security scheme must carry. */
  requestProblems(request: RecordedRequest, apiKey: string): string[];
  /** Every way an answer departs from the response the spec declares for its status. */
  responseProblems(method: string, path: string, status: number, body: unknown): string[];
  schema(name: string): unknown;
}

/** Loads `test/specs/<file>` (YAML or JSON). */
export function openApiCheck(file: string): OpenApiCheck {
  const text = readFileSync(new URL(`../specs/${file}`, import.meta.url), 'utf8');
  const spec = (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Document;
  const deref = <T>(value: unknown): T =>
    (value && typeof value === 'object' && '$ref' in value
      ? resolveRef(spec, String((value as { $ref: unknown }).$ref))
      : value) as T;

  const operations: Operation[] = Object.entries(spec.paths).flatMap(([template, item]) =>
    METHODS.filter((method) => method in item).map((method) => {
      const op = item[method] as Record<string, unknown>;
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, '([^/]+)');
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

  const operationFor = (method: string, path: string) => {
    for (const op of operations) {
      const match = op.method === method ? op.pattern.exec(path) : null;
      if (match) return { op, pathValues: match.slice(1).map(decodeURIComponent) };
    }
    return undefined;
  };

  /** A query or path value as the type its schema names (query strings carry only text). */
  const typed = (raw: string, schema: unknown): unknown => {
    const s = deref<{ type?: string; anyOf?: { type?: string }[] }>(schema) ?? {};
    const types = [s.type, ...(s.anyOf ?? []).map((o) => o.type)];
    if (types.includes('boolean')) return raw === 'true' ? true : raw === 'false' ? false : raw;
    if (types.includes('integer') || types.includes('number')) {
      return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    }
    return raw;
  };

  return {
    spec,
    operations,
    operationFor,
    schema: (name) => resolveRef(spec, `#/components/schemas/${name}`),

    requestProblems(request, apiKey) {
      const where = `${request.method} ${request.path}`;
      const found = operationFor(request.method, request.path);
      if (!found) return [`${where}: no such operation in the spec`];
      const { op, pathValues } = found;
      const problems: string[] = [];
      op.parameters
        .filter((p) => p.in === 'path')
        .forEach((param, i) => {
          problems.push(...validate(pathValues[i], param.schema, spec, `${where} path.${param.name}`));
        });
      for (const requirement of op.security ?? spec.security ?? []) {
        for (const name of Object.keys(requirement)) {
          const scheme = spec.components.securitySchemes?.[name];
          if (scheme?.type !== 'apiKey' || scheme.in !== 'header') {
            problems.push(`${where}: unsupported security scheme ${name}`);
            continue;
          }
          const sent = request.headers[scheme.name.toLowerCase()];
          if (sent !== apiKey) problems.push(`${where}: header ${scheme.name} is not the API key`);
        }
      }
      const query = new URLSearchParams(request.query);
      const queryParams = op.parameters.filter((p) => p.in === 'query');
      for (const [name, raw] of query) {
        const param = queryParams.find((p) => p.name === name);
        if (!param) problems.push(`${where}: query parameter "${name}" is not in the spec`);
        else
          problems.push(...validate(typed(raw, param.schema), param.schema, spec, `${where} query.${name}`));
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
      problems.push(...validate(JSON.parse(request.body), media.schema, spec, `${where} body`));
      return problems;
    },

    responseProblems(method, path, status, body) {
      const where = `${method} ${path} → ${status}`;
      const found = operationFor(method, path);
      if (!found) return [`${where}: no such operation in the spec`];
      const declared = found.op.responses[String(status)];
      if (declared === undefined)
        return [`${where}: the spec declares no ${status} for ${found.op.operationId}`];
      const response = deref<{ content?: Record<string, { schema: unknown }> }>(declared);
      const schema = response.content?.['application/json']?.schema;
      if (schema === undefined) return body === undefined ? [] : [`${where}: a body where the spec has none`];
      return validate(body, schema, spec, where);
    },
  };
}
