/** OpenAPI path items for the gateway's own routes beyond openapi.yaml (the shared contract stays untouched). */
import { LIMITS_PATHS } from '../limits/openapi-paths.ts';
import { PROTOCOL_PATHS } from '../protocols/openapi-paths.ts';
import type { JsonSchema } from '../spec.ts';

/** Path → OpenAPI path item, merged into the served document by `servedDocument()`. */
export const GATEWAY_PATHS: Record<string, JsonSchema> = { ...PROTOCOL_PATHS, ...LIMITS_PATHS };
