/** Entry point: the only place that reads the environment; dispatches the command line. */
import { helpText } from './cli.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { VERSION_LINE } from './server/build-info.ts';
import { healthcheck } from './server/healthcheck.ts';

function configOrExit(): Config | number {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
}

/** Runs a command; a number is the exit code, undefined means the server is running. */
async function main(argv: string[]): Promise<number | undefined> {
  const arg = argv[0];
  if (arg === '--help' || arg === '-h' || arg === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  if (arg === '--version' || arg === '-v' || arg === 'version') {
    process.stdout.write(`${VERSION_LINE}\n`);
    return 0;
  }
  if (arg !== undefined && arg !== 'healthcheck' && arg !== 'serve') {
    process.stderr.write(`unknown argument "${arg}"; see --help\n`);
    return 2;
  }
  const config = configOrExit();
  if (typeof config === 'number') return config;
  if (arg === 'healthcheck') return healthcheck(config.server);
  try {
    // Loaded only to serve: --version, --help and healthcheck (run often by containers) skip the app.
    const { serve } = await import('./server/serve.ts');
    serve(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    // Port taken, address not available, a certificate Bun cannot use: say so in one line.
    process.stderr.write(`cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  return undefined;
}

const code = await main(process.argv.slice(2));
if (code !== undefined) process.exit(code);
