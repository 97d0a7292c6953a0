/** Checks of a loaded Config that span settings or need more than a type: start-up errors and warnings. */
import { isIP } from 'node:net';
import type { Config } from './config.ts';

/** The problem with a setting that must be an absolute http(s) URL, or undefined when it is one. */
export function httpUrlProblem(env: string, value: string): string | undefined {
  // `new URL('localhost:9999')` parses, with "localhost:" as its scheme: the scheme must be spelt out.
  if (!/^https?:\/\/[^/?#]/i.test(value)) return `${env}: expected an http(s) URL, got "${value}"`;
  try {
    new URL(value);
    return undefined;
  } catch {
    return `${env}: expected an http(s) URL, got "${value}"`;
  }
}

/** RFC 1123 host names (plus `_`, common in container service names): dot-separated labels, 253 characters at most. */
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/** Whether SERVER_HOST can be listened on: an IPv4/IPv6 literal (brackets allowed) or a host name. */
export function isListenHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return true;
  // A name whose last label is all digits is meant as an IPv4 address (as URL parsers read it), and is not a valid one.
  const last = bare.replace(/\.$/, '').split('.').pop() ?? '';
  return !/^\d+$/.test(last) && HOSTNAME.test(bare);
}

function checkAuth(auth: Config['auth'], problems: string[]): void {
  if (auth.issuer === '') problems.push('AUTH_ENABLE=true needs AUTH_OIDC_ISSUER (it is set but empty)');
  else if (!/^https?:\/\/[^/?#]+/.test(auth.issuer)) problems.push(`AUTH_OIDC_ISSUER: expected an http(s) URL, got "${auth.issuer}"`);
  if (auth.clientId === '') problems.push('AUTH_ENABLE=true needs AUTH_OIDC_CLIENT_ID (it is set but empty): tokens must name it in aud');
}

/** Records the errors that stop start-up. */
export function checkCombinations(c: Config, problems: string[]): void {
  if (!isListenHost(c.server.host)) problems.push(`SERVER_HOST: expected an IP address or a host name, got "${c.server.host}"`);
  for (const server of c.mcp.servers) {
    const problem = httpUrlProblem('MCP_SERVERS', server);
    if (problem) problems.push(problem);
  }
  if (Boolean(c.server.tlsCertPath) !== Boolean(c.server.tlsKeyPath)) {
    problems.push('SERVER_TLS_CERT_PATH and SERVER_TLS_KEY_PATH must be set together');
  }
  if (c.auth.enable) checkAuth(c.auth, problems);
  const cloudflare = c.providers.find((p) => p.id === 'cloudflare');
  if (cloudflare?.apiKey && cloudflare.url.includes('{ACCOUNT_ID}') && !c.cloudflareAccountId) {
    problems.push('CLOUDFLARE_API_KEY is set but the Cloudflare URL has {ACCOUNT_ID}: set CLOUDFLARE_ACCOUNT_ID (or a full CLOUDFLARE_API_URL)');
  }
}

/** Settings that start but are probably not what was meant; logged once at start-up. */
export function configWarnings(c: Config): string[] {
  const warnings: string[] = [];
  if (c.mcp.enable && c.mcp.servers.length === 0) warnings.push('MCP_ENABLE=true but MCP_SERVERS is empty: no MCP tools will be offered');
  if (!c.mcp.enable && c.mcp.servers.length > 0) warnings.push('MCP_SERVERS is set but MCP_ENABLE is not true: the MCP servers are not used');
  return warnings;
}
