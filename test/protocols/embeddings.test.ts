/** Embeddings: which providers have an endpoint, and the request and answer checks. */
import { describe, expect, test } from 'bun:test';
import { GatewayError } from '../../src/errors.ts';
import { loadConfig } from '../../src/config.ts';
import { checkEmbeddingsRequest, checkEmbeddingsResponse, embeddingsPath } from '../../src/protocols/embeddings.ts';
import { ADAPTERS } from '../../src/providers/adapters.ts';
import { buildRegistry } from '../../src/providers/registry.ts';

const registry = buildRegistry(loadConfig({}));
import { PROVIDER_ROWS } from '../../src/spec.ts';

function refusal(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

const paths: [string, string | null][] = [
  ['openai', '/embeddings'],
  ['mistral', '/embeddings'],
  ['google', '/embeddings'],
  ['cohere', '/compatibility/v1/embeddings'],
  ['ollama', '/embeddings'],
  ['cloudflare', '/v1/embeddings'],
  ['groq', null],
  ['deepseek', null],
  ['moonshot', null],
  ['anthropic', null],
  ['ollama_cloud', null],
];

describe('embeddings endpoints per provider', () => {
  test.each(paths)('%s → %p', (id, path) => {
    const provider = registry.get(id)!;
    if (path !== null) expect(embeddingsPath(provider)).toBe(path);
    else {
      const err = refusal(() => embeddingsPath(provider));
      expect([err.status, err.message]).toEqual([400, `Provider ${id} does not support embeddings`]);
    }
  });

  test('every provider of the spec is in the table above, and only those', () => {
    expect(PROVIDER_ROWS.map((r) => r.id).sort()).toEqual(paths.map(([id]) => id).sort());
    expect(Object.entries(ADAPTERS).filter(([, a]) => a.embeddings !== undefined).map(([id]) => id).sort()).toEqual(paths.filter(([, p]) => p !== null).map(([id]) => id).sort());
  });
});

const goodInputs: [unknown][] = [['hello'], [['a', 'b']], [[1, 2, 3]], [[[1, 2], [3]]]];
const badRequests: [string, unknown, string][] = [
  ['not an object', 'x', 'Invalid request body: expected a JSON object'],
  ['no model', { input: 'x' }, "Invalid request body: 'model' is required"],
  ['no input', { model: 'm' }, "Invalid request body: 'input' is required"],
  ['empty input', { model: 'm', input: [] }, "Invalid request body: 'input' must be a non-empty string, array of strings, array of token ids, or array of token id arrays"],
  ['mixed input', { model: 'm', input: ['a', 1] }, "Invalid request body: 'input' must be a non-empty string, array of strings, array of token ids, or array of token id arrays"],
  ['bad encoding', { model: 'm', input: 'x', encoding_format: 'int8' }, "Invalid request body: 'encoding_format' must be one of float, base64"],
  ['bad dimensions', { model: 'm', input: 'x', dimensions: 0 }, "Invalid request body: 'dimensions' must be a positive integer"],
];

describe('embeddings request check', () => {
  test.each(goodInputs)('input %p is accepted', (input) => {
    expect(checkEmbeddingsRequest({ model: 'openai/text-embedding-3-small', input, encoding_format: 'float', dimensions: 256 }).input).toEqual(input as never);
  });
  test.each(badRequests)('%s → 400', (_name, body, message) => {
    const err = refusal(() => checkEmbeddingsRequest(body));
    expect([err.status, err.message]).toEqual([400, message]);
  });
});

describe('embeddings answer check', () => {
  test('an OpenAI answer passes unchanged', () => {
    const body = { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, -0.2] }], model: 'text-embedding-3-small', usage: { prompt_tokens: 2, total_tokens: 2 } };
    expect(checkEmbeddingsResponse(structuredClone(body), 'x')).toEqual(body as never);
  });

  test('missing object, index, model and usage are filled in; base64 vectors pass', () => {
    expect(checkEmbeddingsResponse({ data: [{ embedding: 'AAAA' }, { embedding: [1] }] }, 'mistral-embed')).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: 'AAAA' },
        { object: 'embedding', index: 1, embedding: [1] },
      ],
      model: 'mistral-embed',
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });

  test.each([[{}], [{ data: [{ embedding: ['x'] }] }], [{ data: [3] }], [null]])('garbage %p → 502', (body) => {
    const err = refusal(() => checkEmbeddingsResponse(body, 'm'));
    expect([err.status, err.code, err.message]).toEqual([502, 'upstream_invalid', 'Upstream returned an invalid embeddings answer']);
  });
});
