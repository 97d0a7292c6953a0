/** Body reading shared by the request and upstream body readers. */

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

/** The parts as one buffer; a single part is returned as it is. */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let size = 0;
  for (const p of parts) size += p.byteLength;
  return concatBytes(parts, size);
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

const decoder = new TextDecoder();

/** What a whole body is read as: natively by Bun, or made from the bytes its stream gave. */
export interface BodyForm<T> {
  whole(message: Request | Response): Promise<T>;
  fromBytes(bytes: Uint8Array<ArrayBuffer>): T;
}

export const AS_BYTES: BodyForm<Uint8Array<ArrayBuffer>> = {
  whole: async (message) => new Uint8Array(await message.arrayBuffer()),
  fromBytes: (bytes) => bytes,
};

/**
 * UTF-8 text. Bun's native `text()` cost less CPU than bytes decoded here (~5% of a plain chat for the
 * request body), and a Response made from text less than one made from bytes (~2% for the answer).
 */
export const AS_TEXT: BodyForm<string> = {
  whole: (message) => message.text(),
  fromBytes: (bytes) => decoder.decode(bytes),
};

/**
 * A whole body as `form`: natively when the caller knows its declared length bounds it (HTTP framing
 * ends the body there, and Bun's native read skips the JS stream machinery, which cost about a third
 * of the CPU per chat), otherwise from its stream, with `tooLarge` (which must throw) past `maxBytes`.
 */
export async function readWhole<T>(message: Request | Response, lengthBounds: boolean, form: BodyForm<T>, maxBytes: number, tooLarge: () => never): Promise<T> {
  if (lengthBounds) return form.whole(message);
  if (!message.body) return form.fromBytes(new Uint8Array());
  return form.fromBytes(await readStream(message.body, maxBytes, tooLarge));
}
