/** Cloudflare's `/finetunes/public` list: `{success, result:[{id, name, model, created_at, modified_at, public, description}]}`.
 * The chat endpoint takes the base `model` (`@cf/...`), so that is the id offered, once per model.
 * https://developers.cloudflare.com/api/resources/ai/subresources/finetunes/subresources/public/methods/list/ */
import type { ModelPage } from '../adapter.ts';
import { isRecord } from '../../json.ts';
import type { Model } from '../../schemas.ts';
import { gatewayModel, listItems, toUnixSeconds } from './openai-shaped.ts';

/** Maps the list; an answer with `success: false` is an error, not an empty list. */
export function mapCloudflareModels(body: unknown, providerId: string): ModelPage {
  if (isRecord(body) && body.success === false) throw new Error('cloudflare answered success: false');
  const seen = new Set<string>();
  const models: Model[] = [];
  for (const m of listItems(body, 'result')) {
    const id = typeof m.model === 'string' ? m.model : typeof m.name === 'string' ? m.name : undefined;
    if (id === undefined || seen.has(id)) continue;
    seen.add(id);
    models.push(gatewayModel(providerId, id, toUnixSeconds(m.created_at), 'cloudflare'));
  }
  return { models };
}
