/** Google's OpenAI-compatible list (`{object:"list", data:[{id:"models/<name>", object, owned_by}]}`)
 * names models `models/<name>`; chat takes the bare name. https://ai.google.dev/gemini-api/docs/openai#list-models */
import type { ModelPage } from '../adapter.ts';
import { gatewayModel, listItems, toUnixSeconds } from './openai-shaped.ts';

/** Maps the list, dropping the `models/` prefix so the id can be sent back as the chat model. */
export function mapGoogleModels(body: unknown, providerId: string): ModelPage {
  const models = listItems(body, 'data')
    .filter((m) => typeof m.id === 'string')
    .map((m) => gatewayModel(providerId, String(m.id).replace(/^models\//, ''), toUnixSeconds(m.created), m.owned_by));
  return { models };
}
