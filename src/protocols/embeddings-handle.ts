/** POST /v1/embeddings: checked, sent to the provider's embeddings endpoint (embeddings.ts), answer checked. */
import type { GatewayContext } from '../context.ts';
import { checkEmbeddingsRequest, checkEmbeddingsResponse, embeddingsPath } from './embeddings.ts';
import { jsonAnswer, MAX_ANSWER_BYTES, ownHeaders, protocolExchange } from './exchange-io.ts';
import { readJson, resolveTarget } from './target.ts';

/** POST /v1/embeddings */
export async function handleEmbeddings(ctx: GatewayContext, request: Request): Promise<Response> {
  const req = checkEmbeddingsRequest(await readJson(ctx, request));
  const { provider, model, client } = resolveTarget(ctx, request, '/v1/embeddings', req.model, false);
  const path = embeddingsPath(provider);
  const exchange = protocolExchange(ctx, provider, path, ownHeaders(request, false), JSON.stringify({ ...req, model }), model, client);
  await exchange.open();
  const { json } = await exchange.json(MAX_ANSWER_BYTES);
  return jsonAnswer(client, checkEmbeddingsResponse(json, model), exchange.answer.status);
}
