/**
 * POST /v1/messages and /v1/messages/count_tokens. For `anthropic` the body goes to its native Messages
 * API as it came (the gateway's key; the client's `anthropic-version` / `anthropic-beta` kept, its
 * `x-api-key` / `Authorization` never passed on). For every other provider it is translated to a chat
 * and the answer back (request.ts, answer.ts, stream.ts). Errors are rendered by the app in Anthropic's
 * shape (errors.ts, chosen by path).
 */
import { checkVision } from '../../chat/policy.ts';
import type { GatewayContext } from '../../context.ts';
import { sendChat } from '../chat-call.ts';
import { jsonAnswer, ownHeaders, passNative, protocolExchange, servedByHeader, translatedStream } from '../exchange-io.ts';
import { readJson, resolveChatTarget, resolveTarget } from '../target.ts';
import { chatToAnthropic } from './answer.ts';
import { estimateInputTokens } from './count-tokens.ts';
import { anthropicErrorType } from './errors.ts';
import { anthropicToChat } from './request.ts';
import { anthropicEvent, AnthropicStreamEncoder } from './stream.ts';
import { checkAnthropicRequest } from './validate.ts';

/** The provider served natively. */
const NATIVE = 'anthropic';
/** Client headers an Anthropic endpoint may see. */
const PASSED_HEADERS = ['anthropic-version', 'anthropic-beta'];
/** Silence after which a translated stream sends Anthropic's `ping`. */
export const PING_EVERY_MS = 10_000;

/** The in-stream error event of a native stream that broke. */
const nativeFailure = (err: { status: number; message: string }) =>
  anthropicEvent('error', { error: { type: anthropicErrorType(err.status), message: err.message } });

/** POST /v1/messages */
export async function handleMessages(ctx: GatewayContext, request: Request): Promise<Response> {
  const req = checkAnthropicRequest(await readJson(ctx, request));
  const stream = req.stream === true;
  const target = resolveChatTarget(ctx, request, '/v1/messages', req.model, stream);
  const chat = anthropicToChat(req);
  if ('provider' in target && target.provider.id === NATIVE) {
    const { provider, model, client } = target;
    checkVision(ctx.config.enableVision, provider, chat.messages);
    const body = JSON.stringify({ ...req, model });
    const exchange = protocolExchange(ctx, provider, '/messages', ownHeaders(request, stream, PASSED_HEADERS), body, model, client);
    return passNative(ctx, exchange, client, nativeFailure);
  }
  const answer = await sendChat(ctx, target, chat, request);
  const answerCtx = { model: req.model, stopSequences: req.stop_sequences };
  const headers = servedByHeader(answer.servedBy);
  if (answer.kind === 'json') return jsonAnswer(target.client, chatToAnthropic(answer.json, answerCtx), 200, headers);
  const enc = new AnthropicStreamEncoder(answerCtx);
  return translatedStream(ctx, answer.source, target.client, enc, { keepAlive: { everyMs: PING_EVERY_MS, text: () => enc.ping() }, headers });
}

/** POST /v1/messages/count_tokens: Anthropic's own count for `anthropic`, an estimate (count-tokens.ts) elsewhere. */
export async function handleCountTokens(ctx: GatewayContext, request: Request): Promise<Response> {
  const req = checkAnthropicRequest(await readJson(ctx, request), true);
  const { provider, model, client } = resolveTarget(ctx, request, '/v1/messages/count_tokens', req.model, false);
  if (provider.id === NATIVE) {
    const body = JSON.stringify({ ...req, model });
    const exchange = protocolExchange(ctx, provider, '/messages/count_tokens', ownHeaders(request, false, PASSED_HEADERS), body, model, client);
    return passNative(ctx, exchange, client, nativeFailure);
  }
  return jsonAnswer(client, estimateInputTokens(req));
}
