/** Request validators compiled once from the spec's JSON Schemas, and the TS shapes the code relies on. */
import { Type, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { schemaByName, type JsonSchema } from './spec.ts';

/**
 * Where the gateway is deliberately more lenient than the spec, because real OpenAI clients send it:
 * assistant messages carrying only tool calls have `content: null` or no `content` at all, and
 * current SDKs use the `developer` role. Keyed by schema name.
 */
const LENIENCY: Record<string, (s: JsonSchema) => JsonSchema> = {
  Message: (s) => ({ ...s, required: (Array.isArray(s.required) ? s.required : []).filter((r) => r !== 'content') }),
  MessageContent: (s) => ({ ...s, nullable: true }),
  MessageRole: (s) => ({ ...s, enum: [...(Array.isArray(s.enum) ? s.enum : []), 'developer'] }),
};

const REF_PREFIX = '#/components/schemas/';

function convert(schema: JsonSchema): TSchema {
  const ref = schema.$ref;
  if (typeof ref === 'string') return fromSpec(ref.slice(REF_PREFIX.length));
  const base = convertBase(schema);
  return schema.nullable === true ? Type.Union([base, Type.Null()]) : base;
}

function convertBase(schema: JsonSchema): TSchema {
  if (Array.isArray(schema.oneOf)) return Type.Union(schema.oneOf.map((s: JsonSchema) => convert(s)));
  if (Array.isArray(schema.enum)) return Type.Union(schema.enum.map((v: string) => Type.Literal(v)));
  switch (schema.type) {
    case 'string':
      return Type.String();
    case 'integer':
      return Type.Integer();
    case 'number':
      return Type.Number();
    case 'boolean':
      return Type.Boolean();
    case 'array': {
      const items = typeof schema.items === 'object' && schema.items ? convert(schema.items as JsonSchema) : Type.Unknown();
      return Type.Array(items, typeof schema.minItems === 'number' ? { minItems: schema.minItems } : {});
    }
    case 'object':
    case undefined:
      return convertObject(schema);
    default:
      throw new Error(`openapi.yaml: unsupported schema type ${String(schema.type)}`);
  }
}

function convertObject(schema: JsonSchema): TSchema {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const shape: Record<string, TSchema> = {};
  for (const [key, value] of Object.entries(props)) {
    const t = convert(value);
    shape[key] = required.has(key) ? t : Type.Optional(t);
  }
  // Unknown fields are provider features (temperature, seed, ...): they pass through, never stripped.
  return Type.Object(shape, { additionalProperties: true });
}

const cache = new Map<string, TSchema>();

/** TypeBox schema for `#/components/schemas/<name>`. */
export function fromSpec(name: string): TSchema {
  let t = cache.get(name);
  if (!t) {
    const raw = schemaByName(name);
    t = convert(LENIENCY[name]?.(raw) ?? raw);
    cache.set(name, t);
  }
  return t;
}

/** Compiled check for the chat request body. */
export const chatRequestCheck: TypeCheck<TSchema> = TypeCompiler.Compile(fromSpec('CreateChatCompletionRequest'));

/** Describes the first problem of a value that failed `check`, naming the field. */
export function describeInvalid(check: TypeCheck<TSchema>, value: unknown): string {
  const first = check.Errors(value).First();
  if (!first) return 'Invalid request body';
  const field = first.path.replace(/^\//, '').replaceAll('/', '.') || 'body';
  if (value !== undefined && first.message.startsWith('Expected required property')) return `Invalid request body: '${field}' is required`;
  const options = literalOptions(first.schema);
  if (options) return `Invalid request body: '${field}' must be one of ${options}`;
  return `Invalid request body: '${field}': ${first.message.toLowerCase()}`;
}

function literalOptions(schema: TSchema): string | undefined {
  const anyOf: unknown = schema.anyOf;
  if (!Array.isArray(anyOf)) return undefined;
  const values = anyOf.map((s: TSchema) => s.const).filter((v) => typeof v === 'string');
  return values.length === anyOf.length ? values.join(', ') : undefined;
}

/** A content part as the code reads it. */
export interface ContentPart {
  type: string;
  text?: string;
  image_url?: { url: string; detail?: string };
}

/** A chat message as the code reads it (other fields pass through untouched). */
export interface ChatMessage {
  role: string;
  content: string | ContentPart[] | null;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  [key: string]: unknown;
}

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  [key: string]: unknown;
}

export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; [key: string]: unknown };
}

/** The chat body after validation. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage: boolean; [key: string]: unknown };
  tools?: ChatTool[];
  [key: string]: unknown;
}

/** The spec's `Model`. */
export interface Model {
  id: string;
  object: string;
  created: number;
  owned_by: string;
  served_by: string;
}
