/** Cloudflare's `/finetunes/public` list: `{success, result:[{id, name, model, created_at, ...}]}`.
 * The chat endpoint takes the `model` (`@cf/...`), so that is the id offered.
 * https://developers.cloudflare.com/api/resources/ai/subresources/finetunes/subresources/public/methods/list/ */
import type { Model } from '../../schemas.ts';
import { gatewayModel, listItems, toUnixSeconds } from './openai-shaped.ts';

export function mapCloudflareModels(body: unknown, providerId: string): { models: Model[] } {
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
