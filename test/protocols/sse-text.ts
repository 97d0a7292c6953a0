/** Reads the SSE text an encoder produced back into `[event, data]` pairs, so tests compare values. */

/** One event: its `event:` name (or '' when none) and its parsed `data:`. */
export type SseEvent = [string, unknown];

/** Splits SSE text into events; every event must end with a blank line and carry JSON data. */
export function sseEvents(text: string): SseEvent[] {
  if (text === '') return [];
  if (!text.endsWith('\n\n')) throw new Error(`SSE text does not end an event: ${JSON.stringify(text.slice(-20))}`);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((block) => {
      const name = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data === undefined) throw new Error(`SSE event without data: ${block}`);
      return [name, JSON.parse(data)] as SseEvent;
    });
}
