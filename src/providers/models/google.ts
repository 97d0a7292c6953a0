/** Google's OpenAI-compatible list names models `models/<name>`; chat takes the bare name.
 * https://ai.google.dev/gemini-api/docs/openai#list-models */
import type { Model } from '../../schemas.ts';
import { gatewayModel, listItems, toUnixSeconds } from './openai-shaped.ts';

export function mapGoogleModels(body: unknown, providerId: string): { models: Model[] } {
  const models = listItems(body, 'data')
    .filter((m) => typeof m.id === 'string')
    .map((m) => gatewayModel(providerId, String(m.id).replace(/^models\//, ''), toUnixSeconds(m.created), m.owned_by));
  return { models };
}
