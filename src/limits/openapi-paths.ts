/** The OpenAPI path item of GET /v1/limits, served beside the spec's at /swagger (its shape: usage-report.ts). */
import type { JsonSchema } from '../spec.ts';

const nullableInt: JsonSchema = { type: ['integer', 'null'] };

const windowUsage: JsonSchema = {
  type: 'object',
  required: ['window', 'limit', 'used', 'remaining', 'resets_in_seconds', 'reset'],
  properties: {
    window: { type: 'string', enum: ['requests_per_minute', 'tokens_per_minute', 'tokens_per_day'] },
    limit: { type: 'integer' },
    used: nullableInt,
    remaining: nullableInt,
    resets_in_seconds: nullableInt,
    reset: { type: ['string', 'null'], description: "As OpenAI's reset headers write it, e.g. `6m0s`" },
  },
};

/** Path → path item. */
export const LIMITS_PATHS: Record<string, JsonSchema> = {
  '/limits': {
    get: {
      summary: "The caller's rate limits",
      description:
        'Every rule of LIMITS_CONFIG_PATH that applies to the caller (by its token claims, gateway API key, or address), with its usage in each sliding window and when it resets. Present when LIMITS_CONFIG_PATH or AUTH_API_KEYS_PATH is set.',
      tags: ['Limits'],
      responses: {
        '200': {
          description: 'The rules, usage and resets',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['caller', 'teams', 'identity_source', 'store', 'rules'],
                properties: {
                  caller: { type: 'string' },
                  teams: { type: 'array', items: { type: 'string' } },
                  identity_source: { type: 'string', enum: ['token', 'api_key', 'address'] },
                  store: { type: 'string', enum: ['ok', 'unavailable'] },
                  rules: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['name', 'per', 'windows'],
                      properties: {
                        name: { type: 'string' },
                        per: { type: 'string', enum: ['caller', 'team', 'global'] },
                        key: { type: 'string' },
                        models: { type: 'array', items: { type: 'string' } },
                        windows: { type: 'array', items: windowUsage },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '503': { description: 'The shared limits store (Redis) cannot be read right now', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    },
  },
};
