/** What `bun src/main.ts` says at start-up about set-up mistakes: exit 2 for bad settings, a named listen failure, warnings. */
import { afterAll, describe, expect, test } from 'bun:test';
import { freePort } from '../helpers/binary.ts';
import { runMain, spawnGateway, waitForLog, type SpawnedGateway } from '../helpers/spawn-gateway.ts';

const running: SpawnedGateway[] = [];
afterAll(() => Promise.all(running.map((gw) => gw.stop())));

async function started(env: Record<string, string>): Promise<SpawnedGateway> {
  const gw = await spawnGateway(env);
  running.push(gw);
  return gw;
}

describe('bad settings stop start-up with exit 2, naming the variable', () => {
  test('MCP_SERVERS=localhost:9999', async () => {
    const run = await runMain({ MCP_ENABLE: 'true', MCP_SERVERS: 'localhost:9999' });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('Invalid configuration:\n  - MCP_SERVERS: expected an http(s) URL, got "localhost:9999"\n');
  });

  test('MCP_SERVERS=ftp://x', async () => {
    const run = await runMain({ MCP_ENABLE: 'true', MCP_SERVERS: 'ftp://x' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('MCP_SERVERS: expected an http(s) URL, got "ftp://x"');
  });

  test('SERVER_HOST=256.1.1.1', async () => {
    const run = await runMain({ SERVER_HOST: '256.1.1.1' });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('Invalid configuration:\n  - SERVER_HOST: expected an IP address or a host name, got "256.1.1.1"\n');
    expect(run.stderr).not.toContain('EINVAL');
  });
});

describe('a listen failure names SERVER_HOST and SERVER_PORT', () => {
  test('an address this machine does not have', async () => {
    const port = freePort();
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never a local address.
    const run = await runMain({ SERVER_HOST: '192.0.2.1', SERVER_PORT: String(port) });
    expect(run.code).toBe(1);
    expect(run.stderr).toStartWith(`cannot start: cannot listen on SERVER_HOST=192.0.2.1, SERVER_PORT=${port}: `);
  });

  test('a port already taken', async () => {
    const taken = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() });
    try {
      const run = await runMain({ SERVER_HOST: '127.0.0.1', SERVER_PORT: String(taken.port) });
      expect(run.code).toBe(1);
      expect(run.stderr).toStartWith(`cannot start: cannot listen on SERVER_HOST=127.0.0.1, SERVER_PORT=${taken.port}: `);
    } finally {
      await taken.stop(true);
    }
  });
});

describe('inconsistent MCP settings start, with a warning logged at start-up', () => {
  test('MCP_ENABLE=true with no MCP_SERVERS', async () => {
    const gw = await started({ MCP_ENABLE: 'true' });
    const line = await waitForLog(gw, (l) => l.level === 'warn' && String(l.msg).startsWith('MCP_ENABLE=true'));
    expect(line.msg).toBe('MCP_ENABLE=true but MCP_SERVERS is empty: no MCP tools will be offered');
  });

  test('MCP_SERVERS without MCP_ENABLE', async () => {
    const gw = await started({ MCP_SERVERS: 'http://127.0.0.1:9/mcp' });
    const line = await waitForLog(gw, (l) => l.level === 'warn' && String(l.msg).startsWith('MCP_SERVERS'));
    expect(line.msg).toBe('MCP_SERVERS is set but MCP_ENABLE is not true: the MCP servers are not used');
  });
});

describe('AUTH_ENABLE=true with an issuer that cannot be reached', () => {
  test('starts at once and logs a warning naming the issuer URL, before any request', async () => {
    const gw = await started({ AUTH_ENABLE: 'true', AUTH_OIDC_ISSUER: 'http://127.0.0.1:9/realms/x', AUTH_OIDC_CLIENT_ID: 'gw' });
    const line = await waitForLog(gw, (l) => l.msg === 'OIDC issuer unavailable');
    expect(line).toMatchObject({ level: 'warn', what: 'discovery', url: 'http://127.0.0.1:9/realms/x/.well-known/openid-configuration' });
    expect(String(line.problem)).not.toBe('');
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
  });
});
