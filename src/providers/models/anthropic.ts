/** Anthropic's list: `{data:[{id, display_name, created_at, type}], has_more, last_id}`, paged by `after_id`.
 * https://docs.anthropic.com/en/api/models-list */
import type { Model } from '../../schemas.ts';
import { gatewayModel, isRecord, listItems, toUnixSeconds } from './openai-shaped.ts';

export function mapAnthropicModels(body: unknown, providerId: string): { models: Model[]; nextQuery?: string } {
  const models = listItems(body, 'data')
    .filter((m) => typeof m.id === 'string')
    .map((m) => gatewayModel(providerId, String(m.id), toUnixSeconds(m.created_at), 'anthropic'));
  const more = isRecord(body) && body.has_more === true && typeof body.last_id === 'string';
  return { models, nextQuery: more && isRecord(body) ? `after_id=${encodeURIComponent(String(body.last_id))}&limit=1000` : undefined };
}
