/** A marked section of bench/RESULTS.md that one script owns and the others keep when they rewrite it. */
import { existsSync, readFileSync } from 'node:fs';

const markers = (name: string) => [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`] as const;

/** The section `name` of `text` with its markers, or '' when there is none. */
export function sectionOf(text: string, name: string): string {
  const [start, end] = markers(name);
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  return i >= 0 && j > i ? text.slice(i, j + end.length) : '';
}

/** `text` with the section `name` set to `body` (appended when missing). */
export function withSection(text: string, name: string, body: string): string {
  const [start, end] = markers(name);
  const block = `${start}\n${body.trim()}\n${end}`;
  const old = sectionOf(text, name);
  return old ? text.replace(old, block) : `${text.trimEnd()}\n\n${block}\n`;
}

/** The file's current text, or '' when it does not exist yet. */
export function readIfExists(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}
