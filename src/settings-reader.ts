/** Reads typed values from the environment by the settings table, collecting every problem. */
import { parseDuration } from './duration.ts';
import { SETTINGS } from './settings.ts';
import type { SettingType } from './spec.ts';

export type Env = Record<string, string | undefined>;

const TRUE = new Set(['1', 't', 'true', 'yes', 'y', 'on']);
const FALSE = new Set(['0', 'f', 'false', 'no', 'n', 'off']);
type Value = string | number | boolean | undefined;

function parseValue(type: SettingType, raw: string): Value | Error {
  switch (type) {
    case 'string':
      return raw;
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      return new Error(`expected a boolean (true/false), got "${raw}"`);
    }
    case 'int': {
      const v = raw.trim();
      return /^-?\d+$/.test(v) ? Number(v) : new Error(`expected a whole number, got "${raw}"`);
    }
    case 'time.Duration': {
      const ms = parseDuration(raw);
      return ms === undefined ? new Error(`expected a duration like 30s, 500ms or 1m30s, got "${raw}"`) : ms;
    }
  }
}

/** Reads settings by env name, recording problems instead of failing on the first. */
export class SettingsReader {
  readonly problems: string[] = [];
  private readonly rows = new Map(SETTINGS.map((r) => [r.env, r]));

  constructor(private readonly env: Env) {}

  private read(name: string, type: SettingType): Value {
    const row = this.rows.get(name);
    // A gateway bug rather than a user's, but reported like any bad setting (ConfigError naming it), not as a crash.
    if (!row || row.type !== type) {
      this.problems.push(`${name}: read as ${type} but the settings table has ${row ? `it as ${row.type}` : 'no such setting'} (add it to src/settings.ts or to openapi.yaml's x-config)`);
      return undefined;
    }
    const raw = this.env[name];
    const text = raw === undefined || raw === '' ? row.default : raw;
    if (text === undefined) return undefined;
    const value = parseValue(type, text);
    if (value instanceof Error) {
      this.problems.push(`${name}: ${value.message}`);
      return undefined;
    }
    return value;
  }

  /** The variable was given a value (not left to its default). */
  isSet(name: string): boolean {
    return (this.env[name] ?? '').trim() !== '';
  }
  string(name: string): string {
    const v = this.read(name, 'string');
    return typeof v === 'string' ? v : '';
  }
  optionalString(name: string): string | undefined {
    const v = this.string(name).trim();
    return v === '' ? undefined : v;
  }
  bool(name: string): boolean {
    return this.read(name, 'bool') === true;
  }
  int(name: string, min = 0): number {
    const v = this.read(name, 'int');
    if (typeof v !== 'number') return 0;
    if (v < min) this.problems.push(`${name}: must be at least ${min}, got ${v}`);
    return v;
  }
  durationMs(name: string): number {
    const v = this.read(name, 'time.Duration');
    return typeof v === 'number' ? v : 0;
  }
  port(name: string): number {
    const text = this.string(name).trim();
    const n = Number(text);
    if (!/^\d+$/.test(text) || n > 65535) this.problems.push(`${name}: expected a port number 0-65535, got "${text}"`);
    return n;
  }
  list(name: string): string[] {
    return this.string(name)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  oneOf<T extends string>(name: string, options: readonly T[]): T {
    const v = this.string(name).trim().toLowerCase();
    const found = options.find((o) => o === v);
    if (found === undefined) this.problems.push(`${name}: expected one of ${options.join(', ')}, got "${v}"`);
    return found ?? options[0]!;
  }
}
