/** Checks a parsed /v1/messages body before translation; every refusal is a 400 naming the field. */
import { GatewayError } from '../../errors.ts';
import { isRecord } from '../../json.ts';
import type { AnthropicRequest } from './types.ts';

function invalid(message: string): never {
  throw new GatewayError(400, 'invalid_request', message);
}

/** The body as an AnthropicRequest; `max_tokens` is required unless `forCount` (count_tokens takes none). */
export function checkAnthropicRequest(raw: unknown, forCount = false): AnthropicRequest {
  if (!isRecord(raw)) invalid('Invalid request body: expected a JSON object');
  if (typeof raw.model !== 'string' || raw.model.trim() === '') invalid("Invalid request body: 'model' is required");
  if (!forCount && (typeof raw.max_tokens !== 'number' || !Number.isInteger(raw.max_tokens) || raw.max_tokens < 1)) {
    invalid("Invalid request body: 'max_tokens' must be a positive integer");
  }
  if (!Array.isArray(raw.messages)) invalid("Invalid request body: 'messages' must be an array");
  raw.messages.forEach((m: unknown, i: number) => checkMessage(m, `messages.${i}`));
  if (raw.system !== undefined && typeof raw.system !== 'string' && !Array.isArray(raw.system)) {
    invalid("Invalid request body: 'system' must be a string or an array of text blocks");
  }
  if (raw.tools !== undefined) {
    if (!Array.isArray(raw.tools)) invalid("Invalid request body: 'tools' must be an array");
    raw.tools.forEach((t: unknown, i: number) => {
      if (!isRecord(t) || typeof t.name !== 'string') invalid(`Invalid request body: 'tools.${i}.name' is required`);
    });
  }
  if (raw.stop_sequences !== undefined && !(Array.isArray(raw.stop_sequences) && raw.stop_sequences.every((s) => typeof s === 'string'))) {
    invalid("Invalid request body: 'stop_sequences' must be an array of strings");
  }
  return raw as AnthropicRequest;
}

function checkMessage(m: unknown, at: string): void {
  if (!isRecord(m)) invalid(`Invalid request body: '${at}' must be an object`);
  if (m.role !== 'user' && m.role !== 'assistant' && m.role !== 'system') invalid(`Invalid request body: '${at}.role' must be one of user, assistant`);
  if (typeof m.content === 'string') return;
  if (!Array.isArray(m.content)) invalid(`Invalid request body: '${at}.content' must be a string or an array of blocks`);
  m.content.forEach((b: unknown, j: number) => {
    if (!isRecord(b) || typeof b.type !== 'string') invalid(`Invalid request body: '${at}.content.${j}.type' is required`);
  });
}
