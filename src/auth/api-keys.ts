/**
 * Gateway API keys (AUTH_API_KEYS_PATH): a YAML or JSON file of keys stored as hex SHA-256, each naming a
 * caller and optional teams. The file never holds a key, and no key is ever logged, returned or forwarded.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../config.ts';
import { readDataFile, ShapeCheck } from '../limits/data-file.ts';

/** Who a key belongs to. */
export interface ApiKeyEntry {
  caller: string;
  teams: string[];
}

/** What `reload()` did: how many keys are now in use, or why the new file was refused (the old keys stay). */
export type ReloadResult = { ok: true; keys: number } | { ok: false; problems: string[] };

interface StoredKey extends ApiKeyEntry {
  digest: Buffer;
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** The `sha256` of an entry; a wrong value is described by its length only, since it may be a key pasted by mistake. */
function digestOf(shape: ShapeCheck, obj: Record<string, unknown>, path: string): string | undefined {
  const value = shape.string(obj, 'sha256', path, true);
  if (value === undefined) return undefined;
  if (SHA256_HEX.test(value)) return value.toLowerCase();
  shape.problem(`${path}.sha256`, `expected the hex SHA-256 of the key (64 hex digits; \`printf %s "$KEY" | sha256sum\`), got ${value.length} characters that are not one (not shown: it may be a key)`);
  return undefined;
}
const BEARER = /^bearer[ \t]+(.+)$/i;

/** The hex SHA-256 of a key: what the keys file stores. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The keys a request presents: `Authorization: Bearer <key>`, then `x-api-key: <key>` (an SDK may send both, one of them another key). */
export function presentedApiKeys(headers: Headers): string[] {
  const bearer = BEARER.exec(headers.get('authorization') ?? '')?.[1]?.trim();
  const header = headers.get('x-api-key')?.trim();
  return [bearer, header].filter((k): k is string => k !== undefined && k !== '');
}

function teamsOf(shape: ShapeCheck, obj: Record<string, unknown>, path: string): string[] {
  if (Array.isArray(obj.team)) return shape.stringList(obj, 'team', path) ?? [];
  const team = shape.string(obj, 'team', path, false);
  return team ? [team] : [];
}

/** Checks a parsed keys file; every mistake at once (ConfigError), with its key path. */
export function parseApiKeys(data: unknown, path: string): StoredKey[] {
  const shape = new ShapeCheck(path);
  const top = shape.object(data, '', ['keys']);
  const keys: StoredKey[] = [];
  const seen = new Map<string, number>();
  (top ? (shape.list(top, 'keys', '', true) ?? []) : []).forEach((item, i) => {
    const at = `keys[${i}]`;
    const obj = shape.object(item, at, ['sha256', 'caller', 'team']);
    if (!obj) return;
    const sha = digestOf(shape, obj, at);
    const caller = shape.string(obj, 'caller', at, true);
    const teams = teamsOf(shape, obj, at);
    if (sha === undefined || caller === undefined) return;
    const first = seen.get(sha);
    // Only the first digits: enough to find the line, and a hash of a key is still not for the logs.
    if (first !== undefined) shape.problem(`${at}.sha256`, `duplicate key ${sha.slice(0, 8)}… (also keys[${first}])`);
    else seen.set(sha, i);
    keys.push({ digest: Buffer.from(sha, 'hex'), caller, teams });
  });
  shape.throwIfAny();
  return keys;
}

/** The keys of one file, re-readable on SIGHUP; lookups take the same time whichever entry (if any) matches. */
export class ApiKeys {
  private keys: StoredKey[];

  constructor(private readonly path: string) {
    this.keys = parseApiKeys(readDataFile(path, 'AUTH_API_KEYS_PATH'), path);
  }

  /** How many keys are in use. */
  get size(): number {
    return this.keys.length;
  }

  /** The entry of a presented key, or undefined. Every stored digest is compared, in constant time, whatever matches. */
  lookup(presented: string): ApiKeyEntry | undefined {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: StoredKey | undefined;
    for (const key of this.keys) {
      // No early exit: the time taken must not tell how far down the file a key is, or whether it is there.
      if (timingSafeEqual(key.digest, digest) && !found) found = key;
    }
    return found ? { caller: found.caller, teams: found.teams } : undefined;
  }

  /** Re-reads the file; a bad file leaves the current keys in use and says why. */
  reload(): ReloadResult {
    try {
      this.keys = parseApiKeys(readDataFile(this.path, 'AUTH_API_KEYS_PATH'), this.path);
      return { ok: true, keys: this.keys.length };
    } catch (err) {
      if (err instanceof ConfigError) return { ok: false, problems: err.problems };
      throw err;
    }
  }
}
