/** TLS from SERVER_TLS_CERT_PATH/KEY_PATH, read up front so a bad path is a clear start-up error. */
import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from '../config.ts';

/** PEM text for Bun.serve's `tls`, or undefined when TLS is off. Throws ConfigError naming the setting. */
export function loadTls(server: Config['server']): { cert: string; key: string } | undefined {
  if (!server.tlsCertPath || !server.tlsKeyPath) return undefined;
  const problems: string[] = [];
  const read = (env: string, path: string): string => {
    try {
      const text = readFileSync(path, 'utf8');
      if (!text.includes('-----BEGIN ')) problems.push(`${env}: "${path}" is not a PEM file`);
      return text;
    } catch (err) {
      problems.push(`${env}: cannot read "${path}" (${err instanceof Error && 'code' in err ? String(err.code) : 'error'})`);
      return '';
    }
  };
  const cert = read('SERVER_TLS_CERT_PATH', server.tlsCertPath);
  const key = read('SERVER_TLS_KEY_PATH', server.tlsKeyPath);
  if (problems.length > 0) throw new ConfigError(problems);
  return { cert, key };
}
