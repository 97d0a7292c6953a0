/** Narrowing for parsed JSON of unknown shape (provider answers, the spec, MCP results). */

/** A JSON object (not an array, not null). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
