/**
 * Installs the benchmark's own packages (bench/package.json: Portkey's gateway, autocannon) into
 * bench/node_modules, so a plain `npm install` of the gateway never pulls them. Does nothing when the
 * installed tree is already newer than bench/package-lock.json.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const LOCK = join(import.meta.dir, 'package-lock.json');
// npm writes this after every install; older than the lock file means the lock changed since.
const INSTALLED = join(import.meta.dir, 'node_modules', '.package-lock.json');

if (!existsSync(INSTALLED) || statSync(INSTALLED).mtimeMs < statSync(LOCK).mtimeMs) {
  const npm = Bun.spawn(['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: import.meta.dir, stdout: 'inherit', stderr: 'inherit' });
  const code = await npm.exited;
  if (code !== 0) {
    console.error(`npm ci in bench/ failed (exit ${code})`);
    process.exit(code);
  }
}
