/**
 * `POST /v1/embeddings` in OpenAI's shape (https://platform.openai.com/docs/api-reference/embeddings):
 * the request check and the answer check. Which providers have an OpenAI-compatible embeddings endpoint
 * is part of each provider's adapter. Embeddings are relayed, not translated.
 */
import { GatewayError } from '../errors.ts';
import type { Provider } from '../providers/registry.ts';
import { isRecord } from '../json.ts';

/** A provider's embeddings path (declared in its adapter, src/providers/adapters.ts), or a 400 naming it. */
export function embeddingsPath(provider: Provider): string {
  const path = provider.adapter.embeddings;
  if (path === undefined) throw new GatewayError(400, 'provider_unsupported', `Provider ${provider.id} does not support embeddings`);
  return path;
}

/** What an embeddings request may embed. */
export type EmbeddingsInput = string | string[] | number[] | number[][];

/** The body of `POST /v1/embeddings`. */
export interface EmbeddingsRequest {
  model: string;
  input: EmbeddingsInput;
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  [key: string]: unknown;
}

/** One vector of the answer: floats, or base64 when asked for. */
export interface Embedding {
  object: 'embedding';
  index: number;
  embedding: number[] | string;
}

/** The answer of `POST /v1/embeddings`. */
export interface EmbeddingsResponse {
  object: 'list';
  data: Embedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
  [key: string]: unknown;
}

function invalid(message: string): never {
  throw new GatewayError(400, 'invalid_request', `Invalid request body: ${message}`);
}

const isTokens = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((n) => Number.isInteger(n));

function validInput(v: unknown): v is EmbeddingsInput {
  if (typeof v === 'string') return v !== '';
  if (!Array.isArray(v) || v.length === 0) return false;
  return v.every((s) => typeof s === 'string' && s !== '') || isTokens(v) || v.every(isTokens);
}

/** The body as an EmbeddingsRequest, or a 400 naming the field. */
export function checkEmbeddingsRequest(raw: unknown): EmbeddingsRequest {
  if (!isRecord(raw)) invalid('expected a JSON object');
  if (typeof raw.model !== 'string' || raw.model.trim() === '') invalid("'model' is required");
  if (raw.input === undefined) invalid("'input' is required");
  if (!validInput(raw.input)) invalid("'input' must be a non-empty string, array of strings, array of token ids, or array of token id arrays");
  if (raw.encoding_format !== undefined && raw.encoding_format !== 'float' && raw.encoding_format !== 'base64') {
    invalid("'encoding_format' must be one of float, base64");
  }
  if (raw.dimensions !== undefined && !(Number.isInteger(raw.dimensions) && (raw.dimensions as number) > 0)) {
    invalid("'dimensions' must be a positive integer");
  }
  return raw as EmbeddingsRequest;
}

/**
 * A provider's answer checked and completed: `data` must hold vectors; `object`, `index`, `model` and
 * `usage` are filled in where a provider leaves them out. Anything else is a 502.
 */
export function checkEmbeddingsResponse(raw: unknown, model: string): EmbeddingsResponse {
  const bad = (what: string): never => {
    throw new GatewayError(502, 'upstream_invalid', 'Upstream returned an invalid embeddings answer', { reason: what });
  };
  if (!isRecord(raw) || !Array.isArray(raw.data)) return bad('no data array');
  const data = raw.data.map((item: unknown, i: number): Embedding => {
    if (!isRecord(item)) return bad(`data.${i} is not an object`);
    const e = item.embedding;
    const ok = typeof e === 'string' || (Array.isArray(e) && e.every((n) => typeof n === 'number'));
    if (!ok) return bad(`data.${i}.embedding is neither numbers nor base64`);
    return { ...item, object: 'embedding', index: typeof item.index === 'number' ? item.index : i, embedding: e as number[] | string };
  });
  const usage = isRecord(raw.usage) ? raw.usage : {};
  const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0;
  return {
    ...raw,
    object: 'list',
    data,
    model: typeof raw.model === 'string' ? raw.model : model,
    usage: { ...usage, prompt_tokens: prompt, total_tokens: typeof usage.total_tokens === 'number' ? usage.total_tokens : prompt },
  };
}
