/** The OpenAI model list (`{object:"list", data:[{id, object, created, owned_by}]}`), which most providers speak. */
import { isRecord } from '../../json.ts';
import type { Model } from '../../schemas.ts';
import type { ModelPage } from '../adapter.ts';

/** A plain JSON object (not an array, not null). */
/** Items of a list body under `key`, or an error naming what was wrong. */
export function listItems(body: unknown, key: string): Record<string, unknown>[] {
  const items = isRecord(body) ? body[key] : undefined;
  if (!Array.isArray(items)) throw new Error(`model list has no "${key}" array`);
  return items.filter(isRecord);
}

/** Seconds since the epoch from a number or an RFC 3339 string; 0 when unknown. */
export function toUnixSeconds(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return Math.trunc(ms / 1000);
  }
  return 0;
}

/** Builds the spec's Model with the gateway's `provider/model` id. */
export function gatewayModel(providerId: string, model: string, created: number, ownedBy?: unknown): Model {
  return {
    id: `${providerId}/${model}`,
    object: 'model',
    created,
    owned_by: typeof ownedBy === 'string' && ownedBy !== '' ? ownedBy : providerId,
    served_by: providerId,
  };
}

/** Maps an OpenAI-shaped list. */
export function mapOpenAIModels(body: unknown, providerId: string): ModelPage {
  const models = listItems(body, 'data')
    .filter((m) => typeof m.id === 'string')
    .map((m) => gatewayModel(providerId, String(m.id), toUnixSeconds(m.created), m.owned_by));
  return { models };
}
