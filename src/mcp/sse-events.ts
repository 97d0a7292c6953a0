/** Splits an SSE byte stream into the `data` payloads of its events, for the agent loop to read. */

/** Yields each event's data (its `data:` lines joined by newlines); comments and empty events are skipped. */
export async function* sseDataEvents(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let buffer = '';
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // Events end at a blank line; CRLF and CR line endings are allowed by the SSE format.
      buffer = buffer.replace(/\r\n?/g, '\n');
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const data = eventData(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (data !== undefined) yield data;
        cut = buffer.indexOf('\n\n');
      }
      if (done) {
        ended = true;
        const data = eventData(buffer);
        if (data !== undefined) yield data;
        return;
      }
    }
  } finally {
    // Left early (the client went away, or the loop stopped): the upstream is no longer wanted.
    if (!ended) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

function eventData(block: string): string | undefined {
  const lines: string[] = [];
  for (const line of block.split('\n')) {
    if (line === 'data' || line.startsWith('data:')) lines.push(line.slice(5).replace(/^ /, ''));
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}
