/** Byte helpers shared by the request and upstream body readers. */

/** Joins chunks into one buffer of exactly `size` bytes. */
export function concatBytes(parts: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/**
 * Reads a stream to its end, calling `tooLarge` (which must throw) once more than `maxBytes` arrived.
 */
export async function readStream(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  tooLarge: () => never,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concatBytes(parts, size);
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      tooLarge();
    }
    parts.push(value);
  }
}
