/** Cohere's list: `{models:[{name, endpoints, finetuned, context_length, ...}], next_page_token}`; no creation time is given.
 * https://docs.cohere.com/reference/list-models */
import { isRecord } from '../../json.ts';
import type { ModelPage } from '../adapter.ts';
import { gatewayModel, listItems } from './openai-shaped.ts';

/** The most the API returns per page (it defaults to 20). */
const PAGE_SIZE = 1000;

/** Maps one page; `name` is the model id, and a non-empty `next_page_token` asks for the next page. */
export function mapCohereModels(body: unknown, providerId: string): ModelPage {
  const models = listItems(body, 'models')
    .filter((m) => typeof m.name === 'string')
    .map((m) => gatewayModel(providerId, String(m.name), 0, 'cohere'));
  const token = isRecord(body) ? body.next_page_token : undefined;
  if (typeof token !== 'string' || token === '') return { models };
  return { models, nextQuery: new URLSearchParams({ page_token: token, page_size: String(PAGE_SIZE) }).toString() };
}
