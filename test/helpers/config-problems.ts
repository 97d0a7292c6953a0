/** The problems loadConfig reports for an environment (empty when it starts). */
import { ConfigError, loadConfig, type Env } from '../../src/config.ts';

export function configProblems(env: Env): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}
