/** A TCP server on port 0 that answers with whatever bytes a test wants: for broken-upstream cases. */
import type { TCPSocketListener } from 'bun';

export interface RawUpstream {
  url: string;
  listener: TCPSocketListener<undefined>;
  stop(): void;
}

/** On each connection, waits for the request head, then runs `script(write, end)`. */
export function rawUpstream(script: (write: (text: string) => void, end: () => void) => void | Promise<void>): RawUpstream {
  const listener = Bun.listen({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      data(socket, data) {
        if (!data.toString().includes('\r\n\r\n')) return;
        void script(
          (text) => {
            socket.write(text);
            socket.flush();
          },
          () => socket.end(),
        );
      },
    },
  });
  return { url: `http://127.0.0.1:${listener.port}/v1`, listener, stop: () => listener.stop(true) };
}
