/**
 * Claude Code and OpenAI's Codex CLI, installed from npm on first use into a cache outside the repo
 * (about 800 MB, ~20 s), and run headless: stdin closed, no retries, no traffic beyond the base URL given.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const CLAUDE_CODE = '@anthropic-ai/claude-code@2.1.332';
const CODEX = '@openai/codex@0.171.0';
const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'inference-gateway-agents', 'cc2.1.332-codex0.171.0');
const BIN = { claude: join(CACHE, 'node_modules/.bin/claude'), codex: join(CACHE, 'node_modules/.bin/codex') };

/** Installs both CLIs when the cache lacks them. */
export async function ensureCodingAgents(): Promise<void> {
  if (existsSync(BIN.claude) && existsSync(BIN.codex)) return;
  mkdirSync(CACHE, { recursive: true });
  const p = Bun.spawn(['npm', 'install', '--no-audit', '--no-fund', '--loglevel=error', '--no-save', CLAUDE_CODE, CODEX], { cwd: CACHE, stdout: 'ignore', stderr: 'pipe' });
  const code = await p.exited;
  if (code !== 0) throw new Error(`npm install of the coding agents failed: ${await new Response(p.stderr).text()}`);
}

export interface AgentRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cmd: string[], env: Record<string, string>, cwd: string): Promise<AgentRun> {
  const p = Bun.spawn(cmd, { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'dumb', ...env }, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', timeout: 90_000 });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code: await p.exited, stdout, stderr };
}

function scratch(): { home: string; work: string } {
  const dir = mkdtempSync(join(tmpdir(), 'agent-'));
  const home = join(dir, 'home');
  const work = join(dir, 'work');
  mkdirSync(home);
  mkdirSync(work);
  return { home, work };
}

/** `claude -p` against the gateway's /v1/messages (ANTHROPIC_BASE_URL), the model any gateway model. */
export async function runClaudeCode(gatewayUrl: string, model: string, prompt: string): Promise<AgentRun & { result: { is_error: boolean; result: string } }> {
  const { home, work } = scratch();
  const out = await run([BIN.claude, '-p', prompt, '--output-format', 'json', '--model', model, '--dangerously-skip-permissions'], {
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    ANTHROPIC_BASE_URL: gatewayUrl,
    // The gateway's credential, never a provider's: the gateway holds those.
    ANTHROPIC_API_KEY: 'gateway-client-key',
    // Root may skip permissions only inside a sandbox; the run is confined to a scratch directory.
    IS_SANDBOX: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
    CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
  }, work);
  let result = { is_error: true, result: '' };
  try {
    result = JSON.parse(out.stdout);
  } catch {
    // left as an error: the assertion shows stdout and stderr
  }
  return { ...out, result };
}

/** `codex exec` with a model provider whose `wire_api = "responses"` is the gateway. */
export async function runCodex(gatewayUrl: string, model: string, prompt: string): Promise<AgentRun & { last: string; events: { type: string; item?: Record<string, unknown> }[] }> {
  const { home, work } = scratch();
  const codexHome = join(home, '.codex');
  mkdirSync(codexHome);
  writeFileSync(
    join(codexHome, 'config.toml'),
    `model = "${model}"
model_provider = "gateway"
check_for_update_on_startup = false
[analytics]
enabled = false
[features]
plugins = false
[model_providers.gateway]
name = "Inference Gateway"
base_url = "${gatewayUrl}/v1"
env_key = "GATEWAY_KEY"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
stream_idle_timeout_ms = 20000
`,
  );
  const lastFile = join(work, '..', 'last.txt');
  const out = await run([BIN.codex, 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '--json', '-o', lastFile, prompt], {
    HOME: home,
    CODEX_HOME: codexHome,
    GATEWAY_KEY: 'gateway-client-key',
  }, work);
  const events = out.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string; item?: Record<string, unknown> });
  return { ...out, events, last: existsSync(lastFile) ? readFileSync(lastFile, 'utf8') : '' };
}
