/** Sends a hand-written HTTP/1.1 request over TCP, so tests can send what fetch would normalise away. */

export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/** Sends `METHOD target` with `headers` to host:port and reads the whole answer (Connection: close). */
export async function rawRequest(baseUrl: string, method: string, target: string, headers: string[] = [], body = ''): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const chunks: Uint8Array[] = [];
  const done = Promise.withResolvers<void>();
  const socket = await Bun.connect({
    hostname,
    port: Number(port),
    socket: {
      data(_s, data) {
        chunks.push(new Uint8Array(data));
      },
      close() {
        done.resolve();
      },
      error(_s, err) {
        done.reject(err);
      },
    },
  });
  const lines = [`${method} ${target} HTTP/1.1`, `host: ${hostname}:${port}`, 'connection: close', ...headers];
  if (body) lines.push(`content-length: ${Buffer.byteLength(body)}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  await Promise.race([done.promise, Bun.sleep(5000)]);
  socket.end();
  const text = Buffer.concat(chunks).toString('utf8');
  const [head = '', rest = ''] = text.split('\r\n\r\n', 2);
  const status = Number(head.split(' ')[1]);
  return { status, head, body: rest };
}
