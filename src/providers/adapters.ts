/** The providers that differ from plain OpenAI, and only in what differs. Keyed by spec provider id. */
import type { ProviderAdapter } from './adapter.ts';
import { mapAnthropicModels } from './models/anthropic.ts';
import { mapCloudflareModels } from './models/cloudflare.ts';
import { mapCohereModels } from './models/cohere.ts';
import { mapGoogleModels } from './models/google.ts';

export const ADAPTERS: Readonly<Record<string, ProviderAdapter>> = {
  // https://docs.anthropic.com/en/api/versioning
  anthropic: { keyHeader: 'x-api-key', fixedHeaders: { 'anthropic-version': '2023-06-01' }, mapModels: mapAnthropicModels },
  cloudflare: { mapModels: mapCloudflareModels },
  // Their OpenAI-compatible endpoints reject `stream_options` (the Go gateway learnt this the hard way).
  cohere: { mapModels: mapCohereModels, rejectsStreamOptions: true },
  mistral: { rejectsStreamOptions: true },
  ollama_cloud: { rejectsStreamOptions: true },
  google: { mapModels: mapGoogleModels },
};
