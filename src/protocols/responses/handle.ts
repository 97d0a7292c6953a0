/**
 * POST /v1/responses. For `openai` the body goes to its native Responses API as it came (OpenAI keeps
 * its own `previous_response_id` history). For every other provider it is translated to a chat and the
 * answer back (request.ts, answer.ts, stream.ts); the conversation is kept in the app's ResponseStore so
 * `previous_response_id` works there too, unless the client sent `store: false`.
 */
import type { GatewayContext } from '../../context.ts';
import { GatewayError } from '../../errors.ts';
import type { ChatMessage } from '../../schemas.ts';
import { sendChat } from '../chat-call.ts';
import { jsonAnswer, ownHeaders, passNative, protocolExchange, servedByHeader, translatedStream } from '../exchange-io.ts';
import { readJson, resolveChatTarget } from '../target.ts';
import { chatToResponse, newResponseId, type ResponseContext } from './answer.ts';
import { responsesToChat } from './request.ts';
import { conversationAfter, DEFAULT_TTL_MS, type ResponseStore } from './store.ts';
import { ResponsesStreamEncoder } from './stream.ts';
import type { ResponsesOutputItem } from './types.ts';
import { checkResponsesRequest } from './validate.ts';

/** The provider served natively. */
const NATIVE = 'openai';
/** Client headers OpenAI's endpoint may see. */
const PASSED_HEADERS = ['openai-beta'];

/** Where conversations are kept, and for how long. */
export interface ResponsesDeps {
  store: ResponseStore;
  ttlMs?: number;
}

/** A native stream that broke: one `error` event, as OpenAI sends one. */
const nativeFailure = (err: { message: string }) => `event: error\ndata: ${JSON.stringify({ type: 'error', code: 'server_error', message: err.message, param: null })}\n\n`;

/** POST /v1/responses */
export async function handleResponses(ctx: GatewayContext, deps: ResponsesDeps, request: Request): Promise<Response> {
  const req = checkResponsesRequest(await readJson(ctx, request));
  const stream = req.stream === true;
  const target = resolveChatTarget(ctx, request, '/v1/responses', req.model, stream);
  if ('provider' in target && target.provider.id === NATIVE) {
    const { provider, model, client } = target;
    const exchange = protocolExchange(ctx, provider, '/responses', ownHeaders(request, stream, PASSED_HEADERS), JSON.stringify({ ...req, model }), model, client);
    return passNative(ctx, exchange, client, nativeFailure);
  }
  const previous = await previousConversation(deps.store, req.previous_response_id);
  const { chat, conversation } = responsesToChat(req, previous);
  const rctx: ResponseContext = { id: newResponseId(), createdAt: Math.floor(Date.now() / 1000), request: req, model: req.model };
  const keep = async (output: readonly ResponsesOutputItem[]) => {
    const conv = conversationAfter(req, conversation, output);
    if (conv) await deps.store.put(rctx.id, conv, deps.ttlMs ?? DEFAULT_TTL_MS);
  };
  const answer = await sendChat(ctx, target, chat, request);
  const headers = servedByHeader(answer.servedBy);
  if (answer.kind === 'json') {
    const response = chatToResponse(answer.json, rctx);
    await keep(response.output);
    return jsonAnswer(target.client, response, 200, headers);
  }
  const enc = new ResponsesStreamEncoder(rctx);
  return translatedStream(ctx, answer.source, target.client, enc, { onComplete: () => keep(enc.response()?.output ?? []), headers });
}

/** The stored conversation a continuation starts from; an unknown or expired id is the client's error. */
async function previousConversation(store: ResponseStore, id: string | null | undefined): Promise<ChatMessage[]> {
  if (typeof id !== 'string' || id === '') return [];
  const conv = await store.get(id);
  if (!conv) throw new GatewayError(400, 'invalid_request', `Previous response with id '${id}' not found.`);
  return conv.messages;
}
