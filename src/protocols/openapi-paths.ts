/**
 * OpenAPI path items for /v1/messages, /v1/messages/count_tokens, /v1/responses and /v1/embeddings,
 * served beside the spec's at /swagger. The bodies are the upstream protocols' own, so they are
 * described by reference to their documentation rather than re-typed here.
 */
import type { JsonSchema } from '../spec.ts';

const anyObject: JsonSchema = { type: 'object', additionalProperties: true };
const json = (schema: JsonSchema, description: string): JsonSchema => ({ description, content: { 'application/json': { schema } } });
/** A JSON answer, or an event stream when the request set `stream: true`. */
const jsonOrEvents = (description: string): JsonSchema => ({
  description,
  content: { 'application/json': { schema: anyObject }, 'text/event-stream': { schema: { type: 'string' } } },
});

const anthropicError = json(
  {
    type: 'object',
    required: ['type', 'error'],
    properties: {
      type: { type: 'string', enum: ['error'] },
      error: { type: 'object', required: ['type', 'message'], properties: { type: { type: 'string' }, message: { type: 'string' } } },
    },
  },
  "Anthropic's error shape, with the gateway's usual statuses",
);
const specError = { $ref: '#/components/responses/BadRequest' };

function post(summary: string, description: string, tag: string, body: JsonSchema, ok: JsonSchema, error: JsonSchema): JsonSchema {
  return {
    post: {
      summary,
      description,
      tags: [tag],
      requestBody: { required: true, content: { 'application/json': { schema: body } } },
      responses: { '200': ok, '400': error, '401': error, '502': error },
    },
  };
}

/** Path → path item. */
export const PROTOCOL_PATHS: Record<string, JsonSchema> = {
  '/messages': post(
    'Anthropic Messages API',
    'https://docs.anthropic.com/en/api/messages . `model` is `provider/model`. Native for anthropic; translated through chat completions for every other provider (streaming as Anthropic events). MCP tools are not injected here.',
    'Completions',
    { ...anyObject, required: ['model', 'max_tokens', 'messages'] },
    jsonOrEvents('An Anthropic message, or its events when streamed'),
    anthropicError,
  ),
  '/messages/count_tokens': post(
    'Anthropic token count',
    'Native for anthropic; elsewhere an estimate: about 4 characters per token over the JSON of system, messages and tools, 1,600 tokens per image.',
    'Completions',
    { ...anyObject, required: ['model', 'messages'] },
    json({ type: 'object', required: ['input_tokens'], properties: { input_tokens: { type: 'integer' } } }, 'The count'),
    anthropicError,
  ),
  '/responses': post(
    'OpenAI Responses API',
    'https://platform.openai.com/docs/api-reference/responses . Native for openai; translated through chat completions elsewhere, with `previous_response_id` kept by the gateway (bounded, with a TTL; `store: false` keeps nothing).',
    'Completions',
    { ...anyObject, required: ['model'] },
    jsonOrEvents('A Response object, or its events when streamed'),
    specError,
  ),
  '/embeddings': post(
    'OpenAI embeddings',
    'https://platform.openai.com/docs/api-reference/embeddings . For providers with an embeddings API (openai, mistral, google, cohere, ollama, cloudflare); others answer 400 naming the provider.',
    'Completions',
    { ...anyObject, required: ['model', 'input'] },
    json(anyObject, 'The embeddings list'),
    specError,
  ),
};
