/** Bun imports YAML natively; the spec loader checks the shape at start-up. */
declare module '*.yaml' {
  const value: unknown;
  export default value;
}
