/** Caps the distinct values of a client-influenced label (model names) so metrics cannot be blown up. */

export const OTHER_LABEL = '_other';

export class LabelGuard {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  /** The value itself while fewer than `max` are known, else `_other`. */
  label(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return OTHER_LABEL;
    this.seen.add(value);
    return value;
  }
}
