/** Request validators compiled once from the spec's JSON Schemas, and the TS shapes the code relies on. */
import { Type, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { schemaByName, type JsonSchema } from './spec.ts';
import type {
  SpecChatCompletionMessageToolCall,
  SpecChatCompletionStreamOptions,
  SpecChatCompletionTool,
  SpecContentPart,
  SpecCreateChatCompletionRequest,
  SpecFunctionObject,
  SpecImageURL,
  SpecMessage,
  SpecMessageRole,
  SpecModel,
  SpecProvider,
  SpecTextContentPart,
} from './spec-types.ts';

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

/** Unknown fields pass through: provider features the spec does not name reach the provider untouched. */
type Open<T> = T & { [key: string]: unknown };

/** A string the code may compare with the spec's values `T`, yet one any client or provider may send. */
type Loose<T extends string> = T | (string & {});

/**
 * A content part as the code reads it: the spec's text and image parts folded into one shape. `type`
 * and `detail` are any string, because parts and details the spec does not name (`file`,
 * `input_audio`, `original`) pass through to the provider.
 */
export interface ContentPart {
  type: Loose<SpecContentPart['type']>;
  text?: SpecTextContentPart['text'];
  image_url?: Omit<SpecImageURL, 'detail'> & { detail?: Loose<NonNullable<SpecImageURL['detail']>> };
}

/**
 * The spec's `Message` as the gateway accepts it (see LENIENCY): `content` null or absent on an
 * assistant message carrying only tool calls, and a role the validator checked (the spec's and
 * `developer`) kept a string so translated messages need no cast.
 */
export interface ChatMessage extends Omit<SpecMessage, 'role' | 'content' | 'tool_calls'> {
  role: Loose<SpecMessageRole | 'developer'>;
  content?: string | ContentPart[] | null;
  tool_calls?: ToolCall[];
  [key: string]: unknown;
}

/** The spec's `ChatCompletionMessageToolCall`; `extra_content` is opaque (echoed verbatim, per the spec). */
export type ToolCall = Open<Omit<SpecChatCompletionMessageToolCall, 'extra_content'>>;

/** The spec's `ChatCompletionTool`, its function open to provider extras. */
export interface ChatTool extends Omit<SpecChatCompletionTool, 'function'> {
  function: Open<SpecFunctionObject>;
}

/** The spec's `CreateChatCompletionRequest` after validation, with the lenient messages above. */
export interface ChatRequest extends Omit<SpecCreateChatCompletionRequest, 'messages' | 'tools' | 'stream_options'> {
  messages: ChatMessage[];
  stream_options?: Open<SpecChatCompletionStreamOptions>;
  tools?: ChatTool[];
  [key: string]: unknown;
}

/**
 * The spec's `Model`; `served_by` is the provider row's id, a string read from `x-provider-configs`
 * (test/core/spec-types.test.ts checks every row's id is one of the spec's `Provider` values).
 */
export interface Model extends Omit<SpecModel, 'served_by'> {
  served_by: Loose<SpecProvider>;
}
