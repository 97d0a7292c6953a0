/** Reads a YAML or JSON file of settings and checks its shape, naming the file and key path of every mistake. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ConfigError } from '../config.ts';

type Plain = Record<string, unknown>;

/** The parsed contents of a `.json`, `.yaml` or `.yml` file; throws ConfigError naming the file when it cannot be read or parsed. */
export function readDataFile(path: string, setting: string): unknown {
  const name = basename(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
    throw new ConfigError([`${setting}: cannot read ${name} (${code})`]);
  }
  try {
    // YAML is a superset of JSON, but JSON.parse names the offending position of a .json file more plainly.
    return name.endsWith('.json') ? JSON.parse(text) : Bun.YAML.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message.split('\n')[0] : 'parse error';
    throw new ConfigError([`${name}: not valid ${name.endsWith('.json') ? 'JSON' : 'YAML'}: ${detail}`]);
  }
}

/** Describes a value for a message without echoing long or secret-looking text back in full. */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}

/** Collects every mistake in one file as `<file>: <key path>: <what is wrong>`. */
export class ShapeCheck {
  readonly problems: string[] = [];
  private readonly file: string;

  constructor(path: string) {
    this.file = basename(path);
  }

  /** Records one mistake at a key path (`rules[1].per`); an empty path names the whole file. */
  problem(path: string, message: string): void {
    this.problems.push(path === '' ? `${this.file}: ${message}` : `${this.file}: ${path}: ${message}`);
  }

  /** Throws ConfigError with every mistake recorded so far, if any. */
  throwIfAny(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }

  /** An object whose keys are all among `keys`; each unknown key is a mistake. Undefined (and a mistake) when not an object. */
  object(value: unknown, path: string, keys: readonly string[]): Plain | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problem(path, `expected an object, got ${shown(value)}`);
      return undefined;
    }
    const plain = value as Plain;
    for (const key of Object.keys(plain)) {
      if (!keys.includes(key)) this.problem(join(path, key), `unknown key (expected one of ${keys.join(', ')})`);
    }
    return plain;
  }

  /** A list at `obj[key]`, or undefined when absent (a mistake when `required`) or not a list. */
  list(obj: Plain, key: string, path: string, required: boolean): unknown[] | undefined {
    const value = obj[key];
    if (value === undefined || value === null) {
      if (required) this.problem(join(path, key), 'is required');
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.problem(join(path, key), `expected a list, got ${shown(value)}`);
      return undefined;
    }
    return value;
  }

  /** A non-empty string at `obj[key]` matching `pattern` when given; undefined when absent (a mistake when `required`). */
  string(obj: Plain, key: string, path: string, required: boolean, pattern?: { re: RegExp; says: string }): string | undefined {
    const value = obj[key];
    if (value === undefined || value === null) {
      if (required) this.problem(join(path, key), 'is required');
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.problem(join(path, key), `expected a non-empty string, got ${shown(value)}`);
      return undefined;
    }
    if (pattern && !pattern.re.test(value)) {
      this.problem(join(path, key), `expected ${pattern.says}, got ${shown(value)}`);
      return undefined;
    }
    return value;
  }

  /** One of `choices` at `obj[key]` (required). */
  oneOf<C extends string>(obj: Plain, key: string, path: string, choices: readonly C[]): C | undefined {
    const value = obj[key];
    if (value === undefined || value === null) {
      this.problem(join(path, key), `is required (one of ${choices.join(', ')})`);
      return undefined;
    }
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as C;
    this.problem(join(path, key), `expected one of ${choices.join(', ')}, got ${shown(value)}`);
    return undefined;
  }

  /** A whole number ≥ 1 at `obj[key]`, or undefined when absent. */
  positiveInt(obj: Plain, key: string, path: string): number | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
    this.problem(join(path, key), `expected a whole number of at least 1, got ${shown(value)}`);
    return undefined;
  }

  /** A list of non-empty strings at `obj[key]`, or undefined when absent. */
  stringList(obj: Plain, key: string, path: string): string[] | undefined {
    const items = this.list(obj, key, path, false);
    if (!items) return undefined;
    const strings: string[] = [];
    items.forEach((item, i) => {
      if (typeof item === 'string' && item.trim() !== '') strings.push(item);
      else this.problem(`${join(path, key)}[${i}]`, `expected a non-empty string, got ${shown(item)}`);
    });
    if (items.length === 0) this.problem(join(path, key), 'is an empty list; leave the key out instead');
    return strings;
  }
}

/** `rules[1]` + `per` → `rules[1].per`; a top-level key has no leading dot. */
function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
