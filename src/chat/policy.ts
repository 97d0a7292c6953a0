/** ALLOWED_MODELS / DISALLOWED_MODELS and the vision switch. */
import type { Config } from '../config.ts';
import { GatewayError, MESSAGES } from '../errors.ts';
import type { Provider } from '../providers/registry.ts';
import type { ChatMessage } from '../schemas.ts';

/** Entries compared trimmed and lower-cased; empty ones (from `a,,b`) mean nothing. */
function entrySet(entries: readonly string[]): Set<string> {
  return new Set(entries.map((m) => m.trim().toLowerCase()).filter((m) => m !== ''));
}

/** Decides whether a `provider/model` may be used; entries match the full id or the bare model. */
export class ModelPolicy {
  private readonly allowed: Set<string>;
  private readonly disallowed: Set<string>;

  constructor(config: Pick<Config, 'allowedModels' | 'disallowedModels'>) {
    this.allowed = entrySet(config.allowedModels);
    // ALLOWED_MODELS, when set, is the whole policy: DISALLOWED_MODELS is ignored.
    this.disallowed = this.allowed.size > 0 ? new Set() : entrySet(config.disallowedModels);
  }

  private matches(set: Set<string>, providerId: string, model: string): boolean {
    const bare = model.trim().toLowerCase();
    return set.has(`${providerId.toLowerCase()}/${bare}`) || set.has(bare);
  }

  /** Why the model is refused, or undefined when it is allowed. */
  refusal(providerId: string, model: string): string | undefined {
    if (this.allowed.size > 0 && !this.matches(this.allowed, providerId, model)) return MESSAGES.notAllowed;
    if (this.disallowed.size > 0 && this.matches(this.disallowed, providerId, model)) return MESSAGES.disallowed;
    return undefined;
  }

  /** Throws 403 when the model is refused. */
  check(providerId: string, model: string): void {
    const refusal = this.refusal(providerId, model);
    if (refusal) throw new GatewayError(403, 'model_not_allowed', refusal, { reason: `${providerId}/${model} refused by ALLOWED_MODELS/DISALLOWED_MODELS` });
  }

  /** True when any filter is configured. */
  get active(): boolean {
    return this.allowed.size > 0 || this.disallowed.size > 0;
  }
}

function hasImage(messages: readonly ChatMessage[]): boolean {
  return messages.some((m) => Array.isArray(m.content) && m.content.some((p) => p.type === 'image_url'));
}

/** Rejects image inputs when vision is off, or when the provider cannot see them; never strips them. */
export function checkVision(enableVision: boolean, provider: Provider, messages: readonly ChatMessage[]): void {
  if (!hasImage(messages)) return;
  if (!enableVision) {
    throw new GatewayError(400, 'invalid_request', 'Image inputs are disabled on this gateway. Set ENABLE_VISION=true to enable them.');
  }
  if (!provider.supportsVision) {
    throw new GatewayError(400, 'provider_unsupported', `Provider ${provider.id} does not support image inputs. Use a vision-capable provider.`);
  }
}
