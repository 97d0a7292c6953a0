/**
 * Reads the routing file (ROUTING_CONFIG_PATH) and holds the routes in force. Start-up throws
 * ConfigError with every mistake; a reload (SIGHUP) with a bad file keeps the routes in force and
 * returns why, so a typo never takes traffic down.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ConfigError } from '../config.ts';
import { validateRouting, type ProviderIds, type RoutingTable } from './config.ts';

/** How the file's text is read (tests pass their own). */
export type ReadText = (path: string) => string;

/** The outcome of a reload: the new table, or why the old one stays. */
export type ReloadResult = { ok: true; table: RoutingTable } | { ok: false; problems: string[] };

/** Parses the text as JSON when the file says so, else as YAML (which also reads JSON). */
export function parseRoutingText(text: string, path: string): unknown {
  return path.toLowerCase().endsWith('.json') ? JSON.parse(text) : Bun.YAML.parse(text);
}

/** Reads, parses and validates; problems name the file and the key path. */
export function readRouting(path: string, ids: ProviderIds, read: ReadText): { table?: RoutingTable; problems: string[] } {
  const file = basename(path);
  let doc: unknown;
  try {
    doc = parseRoutingText(read(path), path);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown }).code;
    return { problems: [code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read it: ${why}`] };
  }
  const { table, problems } = validateRouting(doc, file, ids);
  return problems.length === 0 ? { table, problems } : { problems };
}

/** The routes in force, with reload semantics. */
export class RoutingFile {
  private table: RoutingTable;

  /** Reads the file once; throws ConfigError listing every mistake. */
  constructor(
    readonly path: string,
    private readonly ids: ProviderIds,
    private readonly read: ReadText = (p) => readFileSync(p, 'utf8'),
  ) {
    const first = readRouting(path, ids, read);
    if (!first.table) throw new ConfigError(first.problems);
    this.table = first.table;
  }

  /** The routes in force. */
  get current(): RoutingTable {
    return this.table;
  }

  /** Reads the file again; a bad file leaves the routes in force and says why. */
  reload(): ReloadResult {
    const next = readRouting(this.path, this.ids, this.read);
    if (!next.table) return { ok: false, problems: next.problems };
    this.table = next.table;
    return { ok: true, table: next.table };
  }
}
