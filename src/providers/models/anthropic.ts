/** Anthropic's list: `{data:[{type, id, display_name, created_at}], has_more, first_id, last_id}`, paged by `after_id`.
 * https://docs.anthropic.com/en/api/models-list */
import { isRecord } from '../../json.ts';
import type { ModelPage } from '../adapter.ts';
import { gatewayModel, listItems, toUnixSeconds } from './openai-shaped.ts';

/** The most the API returns per page (it defaults to 20). */
const PAGE_LIMIT = 1000;

/** Maps one page; `created_at` (RFC 3339) becomes `created`, and `last_id` asks for the next page. */
export function mapAnthropicModels(body: unknown, providerId: string): ModelPage {
  const models = listItems(body, 'data')
    .filter((m) => typeof m.id === 'string')
    .map((m) => gatewayModel(providerId, String(m.id), toUnixSeconds(m.created_at), 'anthropic'));
  if (!isRecord(body) || body.has_more !== true || typeof body.last_id !== 'string' || body.last_id === '') return { models };
  return { models, nextQuery: new URLSearchParams({ after_id: body.last_id, limit: String(PAGE_LIMIT) }).toString() };
}
