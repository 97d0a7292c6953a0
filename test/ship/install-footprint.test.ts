/** What `npm install` of the gateway brings: what running needs, the test tools, and nothing only the benchmark uses. */
import { expect, test } from 'bun:test';
import benchPkg from '../../bench/package.json' with { type: 'json' };
import lock from '../../package-lock.json' with { type: 'json' };
import pkg from '../../package.json' with { type: 'json' };

const BENCH_ONLY = ['@portkey-ai/gateway', 'autocannon', '@types/autocannon'];

test('benchmark-only packages are in bench/package.json, not in the gateway install or its lock file', () => {
  const installed = Object.keys(lock.packages).map((path) => path.replace(/^.*node_modules\//, ''));
  for (const name of BENCH_ONLY) {
    expect({ name, root: name in { ...pkg.dependencies, ...pkg.devDependencies }, locked: installed.includes(name) }).toEqual({ name, root: false, locked: false });
    expect(Object.keys(benchPkg.dependencies)).toContain(name);
  }
  expect('overrides' in pkg).toBe(false);
});

test('npm start runs on Bun from the dependencies (not a dev dependency), its install script allowed', () => {
  expect(Object.keys(pkg.dependencies)).toContain('bun');
  expect(Object.keys(pkg.devDependencies)).not.toContain('bun');
  expect(pkg.allowScripts).toEqual({ bun: true });
  expect(pkg.scripts.start).toStartWith('exec bun ');
});
