/** Set-up mistakes caught by loadConfig: MCP_SERVERS entries, SERVER_HOST, settings missing from the table, inconsistent pairs. */
import { describe, expect, test } from 'bun:test';
import { loadConfig } from '../../src/config.ts';
import { SettingsReader } from '../../src/settings-reader.ts';
import { configProblems } from '../helpers/config-problems.ts';

describe('MCP_SERVERS entries must be absolute http(s) URLs', () => {
  test('a URL without a scheme is refused, not dialled as localhost://9999', () => {
    expect(configProblems({ MCP_ENABLE: 'true', MCP_SERVERS: 'localhost:9999' })).toEqual(['MCP_SERVERS: expected an http(s) URL, got "localhost:9999"']);
  });

  test('another scheme is refused, each bad entry named, good ones kept', () => {
    expect(configProblems({ MCP_ENABLE: 'true', MCP_SERVERS: 'http://ok:1/mcp, ftp://x ,mcp-server:8080/mcp' })).toEqual([
      'MCP_SERVERS: expected an http(s) URL, got "ftp://x"',
      'MCP_SERVERS: expected an http(s) URL, got "mcp-server:8080/mcp"',
    ]);
  });

  test('http and https URLs pass', () => {
    const c = loadConfig({ MCP_ENABLE: 'true', MCP_SERVERS: 'http://127.0.0.1:9999/mcp,HTTPS://tools.example.com/mcp' });
    expect(c.mcp.servers).toEqual(['http://127.0.0.1:9999/mcp', 'HTTPS://tools.example.com/mcp']);
  });
});

describe('MCP_ENABLE and MCP_SERVERS that disagree start, with a warning', () => {
  test('MCP_ENABLE=true with no servers', () => {
    expect(loadConfig({ MCP_ENABLE: 'true' }).warnings).toEqual(['MCP_ENABLE=true but MCP_SERVERS is empty: no MCP tools will be offered']);
  });

  test('servers without MCP_ENABLE=true', () => {
    expect(loadConfig({ MCP_SERVERS: 'http://127.0.0.1:9999/mcp' }).warnings).toEqual([
      'MCP_SERVERS is set but MCP_ENABLE is not true: the MCP servers are not used',
    ]);
  });

  test('both set, or neither: no warning', () => {
    expect(loadConfig({}).warnings).toEqual([]);
    expect(loadConfig({ MCP_ENABLE: 'true', MCP_SERVERS: 'http://127.0.0.1:9999/mcp' }).warnings).toEqual([]);
  });
});

describe('SERVER_HOST must be an IP address or a host name', () => {
  test('256.1.1.1 is refused, naming SERVER_HOST', () => {
    expect(configProblems({ SERVER_HOST: '256.1.1.1' })).toEqual(['SERVER_HOST: expected an IP address or a host name, got "256.1.1.1"']);
  });

  test('other things that cannot be listened on are refused', () => {
    for (const host of ['1.2.3', 'http://0.0.0.0', 'host name', 'a..b', '-lead.example', '[::1']) {
      expect(configProblems({ SERVER_HOST: host })).toEqual([`SERVER_HOST: expected an IP address or a host name, got "${host}"`]);
    }
  });

  test('IPv4, IPv6 (bare or bracketed) and host names pass', () => {
    for (const host of ['0.0.0.0', '127.0.0.1', '::', '::1', '[::1]', 'fe80::1%eth0', 'localhost', 'gateway.example.com', 'my_service', 'svc-1.ns.svc.cluster.local.']) {
      expect(configProblems({ SERVER_HOST: host })).toEqual([]);
    }
  });
});

describe('settings read by the code come from the settings table', () => {
  test('a name missing from the table is a reported problem naming it, not a crash', () => {
    const r = new SettingsReader({ NOT_A_SETTING: 'x' });
    expect(r.string('NOT_A_SETTING')).toBe('');
    expect(r.problems).toEqual([
      "NOT_A_SETTING: read as string but the settings table has no such setting (add it to src/settings.ts or to openapi.yaml's x-config)",
    ]);
  });

  test('a setting read as the wrong type is reported too', () => {
    const r = new SettingsReader({});
    r.bool('SERVER_HOST');
    expect(r.problems).toEqual([
      "SERVER_HOST: read as bool but the settings table has it as string (add it to src/settings.ts or to openapi.yaml's x-config)",
    ]);
  });
});

describe('provider URLs', () => {
  test('urlSet says whether <ID>_API_URL was given', () => {
    const c = loadConfig({ OLLAMA_API_URL: 'http://127.0.0.1:11434/v1', OPENAI_API_URL: '' });
    const byId = new Map(c.providers.map((p) => [p.id, p]));
    expect(byId.get('ollama')).toMatchObject({ url: 'http://127.0.0.1:11434/v1', urlSet: true });
    expect(byId.get('openai')).toMatchObject({ url: 'https://api.openai.com/v1', urlSet: false });
    expect(byId.get('groq')?.urlSet).toBe(false);
  });

  test('a provider URL without a scheme is refused like MCP_SERVERS', () => {
    expect(configProblems({ OPENAI_API_URL: 'localhost:9999/v1' })).toEqual(['OPENAI_API_URL: expected an http(s) URL, got "localhost:9999/v1"']);
  });
});
