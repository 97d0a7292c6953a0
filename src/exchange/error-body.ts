/** Turns a provider's error body, whatever its shape, into one readable message. */
import { isRecord } from '../json.ts';

const MAX_ERROR_TEXT = 1000;


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
  const text = new TextDecoder().decode(bytes).trim();
  let message: string | undefined;
  try {
    message = messageOf(JSON.parse(text));
  } catch {
    message = text;
  }
  let detail = (message ?? '').trim().slice(0, MAX_ERROR_TEXT) || `HTTP ${status}`;
  // Some providers echo the key they were given; it must never reach the client.
  if (apiKey && apiKey.length >= 4) detail = detail.replaceAll(apiKey, '[REDACTED]');
  return `Provider ${providerId} returned an error (${status}): ${detail}`;
}
