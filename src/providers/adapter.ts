/** What may differ between providers beyond their spec row; every field is optional. */
import type { Model } from '../schemas.ts';

/** One page of a provider's model list, mapped; `nextQuery` asks for the following page. */
export interface ModelPage {
  models: Model[];
  nextQuery?: string;
}

/** Only the differences: a provider without an adapter behaves like OpenAI. */
export interface ProviderAdapter {
  /** Header that carries the key for auth_type xheader. */
  keyHeader?: string;
  /** Headers every request to this provider needs (e.g. an API version). */
  fixedHeaders?: Record<string, string>;
  /** Providers that reject `stream_options` in a chat request. */
  rejectsStreamOptions?: boolean;
  /** Path of its OpenAI-shaped embeddings endpoint; absent when it has none (`/v1/embeddings` answers 400). */
  embeddings?: string;
  /** Maps one page of the provider's model list; `next` is the URL query to fetch the following page. */
  mapModels?: (body: unknown, providerId: string) => ModelPage;
}
