/**
 * A small JSON Schema checker for the subset that the providers' OpenAPI documents use, so tests can hold
 * requests and answers against `test/specs/*` without a dependency. It knows local `$ref`, `allOf`, `anyOf`,
 * `type` (a list of types and OpenAPI's `nullable` too), `enum`, `properties`, `required`,
 * `additionalProperties` (false or a schema), `items`, `minItems`/`maxItems`, `minLength`/`maxLength`,
 * `pattern`, `minimum`/`maximum` and the formats `uri`, `uuid` and `date-time` (other formats, such as OpenAI's
 * `unixtime` on an integer, constrain nothing more than their type); from JSON Schema 2020-12 (OpenAPI 3.1),
 * `oneOf`, `const` and `exclusiveMinimum`/`exclusiveMaximum`. A keyword outside that subset is reported as a
 * problem, never passed over, so a spec that grows a new rule cannot pass unchecked. Vendor extensions
 * (`x-…`), Pydantic's `optional` and FastAPI's `embed` markers are annotations: they describe, not constrain.
 */

/** Keywords that describe and constrain nothing. */
const ANNOTATIONS = new Set([
  'title',
  'description',
  'example',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  'nullable',
  'optional',
  'discriminator',
  'embed',
]);
const RULES = new Set([
  '$ref',
  'allOf',
  'anyOf',
  'type',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'format',
  'oneOf',
  'const',
  'exclusiveMinimum',
  'exclusiveMaximum',
]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

type Schema = Record<string, unknown>;

/** The value a local JSON pointer (`#/components/schemas/X`) names in `root`. */
export function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local $ref is supported, got ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !(key in node)) throw new Error(`$ref ${ref} not found`);
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Which way a value travels: in a request, OpenAPI's `readOnly` properties are not required (nor expected). */
export interface ValidateOptions {
  direction?: 'request' | 'response';
}

/**
 * Every way `value` breaks `schema`, as `path: problem` lines (empty when it conforms). `root` is the
 * document that `$ref`s point into.
 */
export function validate(
  value: unknown,
  schema: unknown,
  root: unknown,
  path = '$',
  options: ValidateOptions = {},
): string[] {
  if (schema === true || schema === undefined) return [];
  if (schema === false) return [`${path}: no value is allowed here`];
  if (schema === null || typeof schema !== 'object') return [`${path}: the schema is not an object`];
  const s = schema as Schema;
  const problems: string[] = [];
  for (const key of Object.keys(s)) {
    if (!RULES.has(key) && !ANNOTATIONS.has(key) && !key.startsWith('x-'))
      problems.push(`${path}: unsupported schema keyword "${key}"`);
  }
  if (typeof s.$ref === 'string') {
    problems.push(...validate(value, resolveRef(root, s.$ref), root, path, options));
  }
  if (Array.isArray(s.allOf)) {
    for (const part of s.allOf) problems.push(...validate(value, part, root, path, options));
  }
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const choices = s[keyword];
    if (!Array.isArray(choices)) continue;
    const branches = choices.map((c) => validate(value, c, root, path, options));
    const matching = branches.filter((b) => b.length === 0).length;
    if (matching === 0) {
      // Each branch's problems, so that a near miss says what kept it out.
      problems.push(
        `${path}: ${JSON.stringify(value)} matches none of the ${choices.length} schemas of ${keyword} (${branches.map((b) => b.join('; ')).join(' | ')})`,
      );
    } else if (keyword === 'oneOf' && matching > 1) {
      problems.push(
        `${path}: ${JSON.stringify(value)} matches ${matching} of the ${choices.length} schemas of oneOf`,
      );
    }
  }
  if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(value)) {
    problems.push(`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(s.const)}`);
  }
  if (value === null && s.nullable === true) return problems;

  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeMatches(value, t))) {
      problems.push(`${path}: expected ${types.join(' or ')}, got ${typeOf(value)}`);
      return problems; // the rules below assume the type
    }
  }
  if (Array.isArray(s.enum) && !s.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  }

  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && [...value].length < s.minLength) {
      problems.push(`${path}: shorter than ${s.minLength}`);
    }
    if (typeof s.maxLength === 'number' && [...value].length > s.maxLength) {
      problems.push(`${path}: longer than ${s.maxLength}`);
    }
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) {
      problems.push(`${path}: ${JSON.stringify(value)} does not match ${s.pattern}`);
    }
    if (s.format === 'uri' && !URL.canParse(value)) problems.push(`${path}: not an absolute URI`);
    if (s.format === 'uuid' && !UUID.test(value)) problems.push(`${path}: not a UUID`);
    if (s.format === 'date-time' && (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))) {
      problems.push(`${path}: not an RFC 3339 date-time`);
    }
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) problems.push(`${path}: less than ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) problems.push(`${path}: more than ${s.maximum}`);
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) {
      problems.push(`${path}: not more than ${s.exclusiveMinimum}`);
    }
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) {
      problems.push(`${path}: not less than ${s.exclusiveMaximum}`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) {
      problems.push(`${path}: fewer than ${s.minItems} items`);
    }
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) {
      problems.push(`${path}: more than ${s.maxItems} items`);
    }
    if (s.items !== undefined) {
      value.forEach((item, i) => problems.push(...validate(item, s.items, root, `${path}[${i}]`, options)));
    }
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (s.properties ?? {}) as Record<string, unknown>;
    if (Array.isArray(s.required)) {
      for (const key of s.required as string[]) {
        if (options.direction === 'request' && isReadOnly(properties[key], root)) continue;
        if (!(key in object)) problems.push(`${path}: required property "${key}" is missing`);
      }
    }
    for (const [key, item] of Object.entries(object)) {
      if (key in properties) {
        problems.push(...validate(item, properties[key], root, `${path}.${key}`, options));
      } else if (s.additionalProperties === false) {
        problems.push(`${path}: property "${key}" is not allowed (additionalProperties: false)`);
      } else if (s.additionalProperties !== undefined && s.additionalProperties !== true) {
        problems.push(...validate(item, s.additionalProperties, root, `${path}.${key}`, options));
      }
    }
  }
  return problems;
}

/** A property the server sets (`readOnly: true`, on the property or on what it refers to). */
function isReadOnly(schema: unknown, root: unknown): boolean {
  if (!schema || typeof schema !== 'object') return false;
  const s = schema as Schema;
  if (s.readOnly === true) return true;
  if (typeof s.$ref === 'string') return isReadOnly(resolveRef(root, s.$ref), root);
  return Array.isArray(s.allOf) && s.allOf.some((part) => isReadOnly(part, root));
}
