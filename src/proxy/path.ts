/** Checks a /proxy path so that it can only ever name something under the provider's base URL. */
import { GatewayError } from '../errors.ts';

const MAX_DECODE_ROUNDS = 4;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
// Control characters (CR/LF smuggling, NUL) have no place in a path.
const CONTROL = /[\u0000-\u001f\u007f]/;

function reject(reason: string): never {
  throw new GatewayError(400, 'invalid_request', `Invalid proxy path: ${reason}`);
}

/** Returns the raw path (as sent) when it is safe to append to a base URL; 400 otherwise. */
export function checkProxyPath(rawPath: string): string {
  if (rawPath === '') reject('a path after the provider is required');
  let decoded = rawPath;
  for (let round = 0; round < MAX_DECODE_ROUNDS && decoded.includes('%'); round++) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      reject('malformed percent-encoding');
    }
  }
  if (decoded.includes('%25')) reject('too many levels of percent-encoding');
  if (CONTROL.test(decoded)) reject('control characters are not allowed');
  if (decoded.includes('\\')) reject('backslashes are not allowed');
  if (decoded.includes('@')) reject("'@' is not allowed");
  if (SCHEME.test(decoded) || decoded.includes('://')) reject('a URL scheme is not allowed');
  for (const segment of decoded.split('/')) {
    if (segment === '') reject('empty path segments are not allowed');
    if (segment === '.' || segment === '..') reject("'.' and '..' segments are not allowed");
  }
  return rawPath;
}
