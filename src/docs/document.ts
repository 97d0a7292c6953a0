/** The OpenAPI document the gateway serves at /swagger/json: the spec plus the gateway's own extension paths. */
import { SPEC, type JsonSchema } from '../spec.ts';
import { GATEWAY_PATHS } from './extension.ts';

let served: JsonSchema | undefined;

/** SPEC with GATEWAY_PATHS merged into `paths` (an extension path item adds methods to, never replaces, the spec's). */
export function servedDocument(): JsonSchema {
  served ??= build();
  return served;
}

function build(): JsonSchema {
  const specPaths = (SPEC.paths ?? {}) as Record<string, JsonSchema>;
  const paths: Record<string, JsonSchema> = { ...specPaths };
  for (const [path, item] of Object.entries(GATEWAY_PATHS)) paths[path] = { ...item, ...specPaths[path] };
  return { ...SPEC, paths };
}
