/** The providers that differ from plain OpenAI, and only in what differs. Keyed by spec provider id. */
import type { ProviderAdapter } from './adapter.ts';
import { mapAnthropicModels } from './models/anthropic.ts';
import { mapCloudflareModels } from './models/cloudflare.ts';
import { mapCohereModels } from './models/cohere.ts';
import { mapGoogleModels } from './models/google.ts';

// Embeddings: groq, deepseek, moonshot and anthropic document none; ollama_cloud serves them only on its
// native /api/embed.
export const ADAPTERS: Readonly<Record<string, ProviderAdapter>> = {
  openai: { embeddings: '/embeddings' },
  // https://docs.anthropic.com/en/api/versioning
  anthropic: { keyHeader: 'x-api-key', fixedHeaders: { 'anthropic-version': '2023-06-01' }, mapModels: mapAnthropicModels },
  // https://developers.cloudflare.com/workers-ai/configuration/open-ai-compatibility/
  cloudflare: { mapModels: mapCloudflareModels, embeddings: '/v1/embeddings' },
  // Their OpenAI-compatible endpoints reject `stream_options` (the Go gateway learnt this the hard way).
  // https://docs.cohere.com/docs/compatibility-api
  cohere: { mapModels: mapCohereModels, rejectsStreamOptions: true, embeddings: '/compatibility/v1/embeddings' },
  // https://docs.mistral.ai/api/#tag/embeddings
  mistral: { rejectsStreamOptions: true, embeddings: '/embeddings' },
  ollama_cloud: { rejectsStreamOptions: true },
  // https://github.com/ollama/ollama/blob/main/docs/openai.md : /v1/embeddings on the /v1 base.
  ollama: { embeddings: '/embeddings' },
  // https://ai.google.dev/gemini-api/docs/openai#embeddings
  google: { mapModels: mapGoogleModels, embeddings: '/embeddings' },
};
