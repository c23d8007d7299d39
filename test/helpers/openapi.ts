/**
 * Holds recorded traffic against an OpenAPI document (JSON or YAML, from `test/specs/`): every request is
 * matched to the spec's operation by method and path template and checked for its credential (an `apiKey`
 * header or an http `bearer` scheme), its path and query parameters and its body against the request schema;
 * every answer against the response schema of its status (or `default`). The schema checker is
 * ./json-schema.ts. Nothing here names a provider.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { RecordedRequest } from '../../src/emulator/server.ts';
import { resolveRef, validate } from './json-schema.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface SecurityScheme {
  type: string;
  in?: string;
  name?: string;
  scheme?: string;
}

export interface OpenApi {
  security?: Record<string, string[]>[];
  components: { securitySchemes: Record<string, SecurityScheme> };
  paths: Record<string, Record<string, unknown>>;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
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

export interface SpecCheck {
  spec: OpenApi;
  operations: Operation[];
  operationFor(method: string, path: string): { op: Operation; pathValues: string[] } | undefined;
  /** Every way a recorded request departs from the spec (the credential must be `apiKey`). */
  requestProblems(request: RecordedRequest, apiKey: string): string[];
  /** Every way an answer departs from the response the spec declares for its status. */
  responseProblems(method: string, path: string, status: number, body: unknown): string[];
  schemaOf(name: string): unknown;
}

/** Loads a spec from `test/specs/` (or any path) and builds its checks. */
export function specCheck(file: URL | string): SpecCheck {
  const text = readFileSync(file, 'utf8');
  const spec = (/\.ya?ml$/.test(String(file)) ? parseYaml(text) : JSON.parse(text)) as OpenApi;
  const deref = <T>(value: unknown): T =>
    (value && typeof value === 'object' && '$ref' in value
      ? resolveRef(spec, String((value as { $ref: unknown }).$ref))
      : value) as T;

  const operations: Operation[] = Object.entries(spec.paths).flatMap(([template, item]) =>
    METHODS.filter((method) => method in item).map((method) => {
      const op = item[method] as Record<string, unknown>;
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, () => '([^/]+)');
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
    const types = [s.type, ...(s.anyOf ?? []).map((b) => b.type)];
    if (types.includes('boolean')) return raw === 'true' ? true : raw === 'false' ? false : raw;
    if (types.includes('integer') || types.includes('number')) {
      return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    }
    return raw;
  };

  const credentialProblem = (request: RecordedRequest, name: string, apiKey: string): string | undefined => {
    const scheme = spec.components.securitySchemes[name];
    const header = (key: string) => {
      const value = request.headers[key.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    };
    if (scheme?.type === 'apiKey' && scheme.in === 'header' && scheme.name) {
      const sent = header(scheme.name);
      return sent === apiKey ? undefined : `header ${scheme.name} is ${JSON.stringify(sent)}`;
    }
    if (scheme?.type === 'http' && scheme.scheme?.toLowerCase() === 'bearer') {
      const sent = header('authorization');
      return sent === `Bearer ${apiKey}` ? undefined : `Authorization is ${JSON.stringify(sent)}`;
    }
    return `unsupported security scheme ${name}`;
  };

  const requestProblems = (request: RecordedRequest, apiKey: string): string[] => {
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
    for (const param of op.parameters.filter((p) => p.in === 'header')) {
      const value = request.headers[param.name.toLowerCase()];
      if (value === undefined) {
        if (param.required) problems.push(`${where}: header ${param.name} is missing`);
      } else {
        const text = Array.isArray(value) ? value.join(',') : value;
        problems.push(...validate(text, param.schema, spec, `${where} header.${param.name}`));
      }
    }
    for (const requirement of op.security ?? spec.security ?? []) {
      for (const name of Object.keys(requirement)) {
        const problem = credentialProblem(request, name, apiKey);
        if (problem) problems.push(`${where}: ${problem}`);
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
  };

  const responseProblems = (method: string, path: string, status: number, body: unknown): string[] => {
    const where = `${method} ${path} → ${status}`;
    const found = operationFor(method, path);
    if (!found) return [`${where}: no such operation in the spec`];
    const declared = found.op.responses[String(status)] ?? found.op.responses.default;
    if (declared === undefined)
      return [`${where}: the spec declares no ${status} for ${found.op.operationId}`];
    const response = deref<{ content?: Record<string, { schema: unknown }> }>(declared);
    const schema = response.content?.['application/json']?.schema;
    if (schema === undefined) return body === undefined ? [] : [`${where}: a body where the spec has none`];
    return validate(body, schema, spec, where);
  };

  return {
    spec,
    operations,
    operationFor,
    requestProblems,
    responseProblems,
    schemaOf: (name) => resolveRef(spec, `#/components/schemas/${name}`),
  };
}
