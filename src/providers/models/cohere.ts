/** Cohere's list: `{models:[{name, endpoints, ...}], next_page_token}`; no creation time is given.
 * https://docs.cohere.com/reference/list-models */
import type { Model } from '../../schemas.ts';
import { gatewayModel, isRecord, listItems } from './openai-shaped.ts';

export function mapCohereModels(body: unknown, providerId: string): { models: Model[]; nextQuery?: string } {
  const models = listItems(body, 'models')
    .filter((m) => typeof m.name === 'string')
    .map((m) => gatewayModel(providerId, String(m.name), 0, 'cohere'));
  const token = isRecord(body) ? body.next_page_token : undefined;
  return { models, nextQuery: typeof token === 'string' && token !== '' ? `page_token=${encodeURIComponent(token)}` : undefined };
}
