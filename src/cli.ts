/** Command-line texts: --help (every setting, from the settings table) and --version. */
import pkg from '../package.json' with { type: 'json' };
import { SETTINGS } from './settings.ts';

/** The version stamped into the build (package.json's). */
export const VERSION: string = pkg.version;

/** `--help`: usage, commands and every environment setting with its default. */
export function helpText(): string {
  const width = Math.max(...SETTINGS.map((s) => s.env.length));
  const lines = SETTINGS.map((s) => {
    const dflt = s.default === undefined || s.default === '' ? '' : ` (default: ${s.default})`;
    return `  ${s.env.padEnd(width)}  ${s.description}${dflt}`;
  });
  return [
    `inference-gateway ${VERSION}: every LLM provider behind one OpenAI-compatible API.`,
    '',
    'Usage:',
    '  inference-gateway              start the server (configured by environment variables)',
    '  inference-gateway healthcheck  exit 0 when the local server answers GET /health, 1 otherwise',
    '  inference-gateway --version    print the version',
    '  inference-gateway --help       print this help',
    '',
    'Environment:',
    ...lines,
    '',
  ].join('\n');
}
