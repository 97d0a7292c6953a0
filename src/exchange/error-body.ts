/** Turns a provider's error body, whatever its shape, into one readable message and its error code. */
import { isRecord } from '../json.ts';

const MAX_ERROR_TEXT = 1000;
const decoder = new TextDecoder();

function parsed(bytes: Uint8Array): unknown {
  const text = decoder.decode(bytes).trim();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Finds the message in the error shapes providers use (OpenAI, Anthropic, Google, Cohere, Cloudflare). */
function messageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (Array.isArray(body)) return messageOf(body[0]);
  if (!isRecord(body)) return undefined;
  const error = body.error;
  if (typeof error === 'string') return error;
  if (isRecord(error) && typeof error.message === 'string') return error.message;
  if (typeof body.message === 'string') return body.message;
  if (typeof body.detail === 'string') return body.detail;
  if (Array.isArray(body.errors)) return messageOf(body.errors[0]);
  return undefined;
}

/** A message for the client: the provider's own words, prefixed with who said them. */
export function upstreamErrorMessage(providerId: string, status: number, bytes: Uint8Array, apiKey?: string): string {
  let detail = (messageOf(parsed(bytes)) ?? '').trim().slice(0, MAX_ERROR_TEXT) || `HTTP ${status}`;
  // Some providers echo the key they were given; it must never reach the client.
  if (apiKey && apiKey.length >= 4) detail = detail.replaceAll(apiKey, '[REDACTED]');
  return `Provider ${providerId} returned an error (${status}): ${detail}`;
}

/** The provider's machine-readable error code (OpenAI's `error.code`, else `error.type`), e.g. `context_length_exceeded`. */
export function upstreamErrorCode(bytes: Uint8Array): string | undefined {
  const body = parsed(bytes);
  const error = isRecord(body) ? body.error : undefined;
  if (!isRecord(error)) return undefined;
  if (typeof error.code === 'string') return error.code;
  return typeof error.type === 'string' ? error.type : undefined;
}
