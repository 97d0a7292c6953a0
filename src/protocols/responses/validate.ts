/** Checks a parsed /v1/responses body before translation; every refusal is a 400 naming the field. */
import { GatewayError } from '../../errors.ts';
import { isRecord } from '../../json.ts';
import type { ResponsesRequest } from './types.ts';

function invalid(message: string): never {
  throw new GatewayError(400, 'invalid_request', message);
}

/** The body as a ResponsesRequest. */
export function checkResponsesRequest(raw: unknown): ResponsesRequest {
  if (!isRecord(raw)) invalid('Invalid request body: expected a JSON object');
  if (typeof raw.model !== 'string' || raw.model.trim() === '') invalid("Invalid request body: 'model' is required");
  const input = raw.input;
  if (input !== undefined && typeof input !== 'string') {
    if (!Array.isArray(input)) invalid("Invalid request body: 'input' must be a string or an array of items");
    input.forEach((item: unknown, i: number) => {
      if (!isRecord(item)) invalid(`Invalid request body: 'input.${i}' must be an object`);
      if (item.type === 'function_call_output' && typeof item.call_id !== 'string') invalid(`Invalid request body: 'input.${i}.call_id' is required`);
      if (item.type === 'function_call' && (typeof item.call_id !== 'string' || typeof item.name !== 'string')) {
        invalid(`Invalid request body: 'input.${i}' needs call_id and name`);
      }
      if ((item.type === undefined || item.type === 'message') && typeof item.content !== 'string' && !Array.isArray(item.content)) {
        invalid(`Invalid request body: 'input.${i}.content' must be a string or an array of parts`);
      }
    });
  }
  if (raw.instructions !== undefined && raw.instructions !== null && typeof raw.instructions !== 'string') {
    invalid("Invalid request body: 'instructions' must be a string");
  }
  if (raw.tools !== undefined && !(Array.isArray(raw.tools) && raw.tools.every(isRecord))) invalid("Invalid request body: 'tools' must be an array of tools");
  if (raw.max_output_tokens != null && (typeof raw.max_output_tokens !== 'number' || raw.max_output_tokens < 1)) {
    invalid("Invalid request body: 'max_output_tokens' must be a positive integer");
  }
  if (raw.previous_response_id != null && typeof raw.previous_response_id !== 'string') invalid("Invalid request body: 'previous_response_id' must be a string");
  return raw as ResponsesRequest;
}
