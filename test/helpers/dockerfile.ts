/** Reads a Dockerfile's stages and a .dockerignore allow-list the way a container builder would. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One instruction, its continuation lines joined. */
export interface Instruction {
  op: string;
  args: string;
}

/** A `FROM … AS name` stage and its instructions. */
export interface Stage {
  name: string;
  from: string;
  steps: Instruction[];
}

/** A `COPY [--from=stage] src… dest` line. */
export interface CopyLine {
  from?: string;
  sources: string[];
  dest: string;
}

/** The stages of a Dockerfile: comments dropped (also inside continuations), `\` continuations joined. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (op === 'FROM') {
      const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ name: as >= 0 ? words[as + 1]! : String(stages.length), from: words[0]!, steps: [] });
    } else {
      stages.at(-1)?.steps.push({ op, args });
    }
  }
  return stages;
}

/** A COPY instruction's parts (shell form only; the JSON form is not used in ours). */
export function parseCopy(args: string): CopyLine {
  const words = args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

interface IgnoreRule {
  glob: Bun.Glob;
  pattern: string;
  include: boolean;
}

/**
 * .dockerignore semantics: the last matching rule wins, `!` re-includes, and a rule matching a
 * directory matches everything under it.
 */
export function dockerIgnore(text: string): { excluded(path: string): boolean; files(root: string): string[] } {
  const rules: IgnoreRule[] = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const include = l.startsWith('!');
      const pattern = (include ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      return { glob: new Bun.Glob(pattern), pattern, include };
    });
  const excluded = (path: string): boolean => {
    const parts = path.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let out = false;
    for (const rule of rules) if (prefixes.some((p) => rule.glob.match(p))) out = !rule.include;
    return out;
  };
  // A directory can be skipped whole when it is excluded and no `!` rule could reach inside it.
  const prunable = (dir: string) => excluded(dir) && !rules.some((r) => r.include && r.pattern.startsWith(`${dir}/`));
  const files = (root: string): string[] => {
    const found: string[] = [];
    const walk = (rel: string) => {
      for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
        const path = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (!prunable(path)) walk(path);
        } else if (!excluded(path)) {
          found.push(path);
        }
      }
    };
    walk('');
    return found;
  };
  return { excluded, files };
}
