/**
 * A minimal HTTP/1.1 client on one keep-alive connection, for the one-connection figures: latency of a
 * whole answer and time to the first body byte of a stream. Raw sockets keep the client's own cost
 * tiny and the same for every target.
 */
import type { Socket } from 'bun';

export interface ProbeResult {
  status: number;
  /** From the request write to the end of the response headers. */
  headersMs: number;
  /** From the request write to the first body byte (for SSE: the first event). */
  firstByteMs: number;
  /** From the request write to the end of the body. */
  totalMs: number;
  body: string;
}

interface Pending {
  started: number;
  resolve: (r: ProbeResult) => void;
  reject: (e: Error) => void;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** One connection, one request at a time. */
export class HttpProbe {
  private buf: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  private status = 0;
  private headersMs = -1;
  private firstByteMs = -1;
  private length = -1;
  private chunked = false;
  private inHeaders = true;
  private body: Buffer[] = [];
  private bodySize = 0;

  private constructor(
    private readonly socket: Socket<undefined>,
    private readonly host: string,
  ) {}

  /** Connects to 127.0.0.1:port. */
  static async open(port: number): Promise<HttpProbe> {
    let probe: HttpProbe | undefined;
    const socket = await Bun.connect({
      hostname: '127.0.0.1',
      port,
      socket: {
        data: (_s, data) => probe?.onData(data),
        close: () => probe?.fail(new Error('connection closed')),
        error: (_s, err) => probe?.fail(err),
      },
    });
    socket.setNoDelay(true);
    probe = new HttpProbe(socket, `127.0.0.1:${port}`);
    return probe;
  }

  /** Sends one request and waits for its whole response. */
  request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<ProbeResult> {
    if (this.pending) throw new Error('one request at a time');
    const payload = body === undefined ? '' : body;
    const lines = [`${method} ${path} HTTP/1.1`, `host: ${this.host}`, 'connection: keep-alive'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    if (body !== undefined) lines.push(`content-length: ${Buffer.byteLength(payload)}`);
    const raw = `${lines.join('\r\n')}\r\n\r\n${payload}`;
    return new Promise<ProbeResult>((resolve, reject) => {
      this.reset();
      this.pending = { started: performance.now(), resolve, reject };
      this.socket.write(raw);
    });
  }

  close(): void {
    this.pending = undefined;
    this.socket.end();
  }

  private reset(): void {
    this.buf = Buffer.alloc(0);
    this.status = 0;
    this.headersMs = -1;
    this.firstByteMs = -1;
    this.length = -1;
    this.chunked = false;
    this.inHeaders = true;
    this.body = [];
    this.bodySize = 0;
  }

  private fail(err: Error): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(err);
  }

  private onData(data: Buffer): void {
    const p = this.pending;
    if (!p) return;
    const now = performance.now();
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    if (this.inHeaders) {
      const end = this.buf.indexOf(HEADER_END);
      if (end < 0) return;
      this.parseHeaders(this.buf.subarray(0, end).toString('latin1'));
      this.headersMs = now - p.started;
      this.buf = this.buf.subarray(end + 4);
      this.inHeaders = false;
    }
    if (this.chunked) this.readChunks(now, p);
    else this.readLength(now, p);
  }

  private parseHeaders(head: string): void {
    const [statusLine = '', ...rest] = head.split('\r\n');
    this.status = Number(statusLine.split(' ')[1]);
    for (const line of rest) {
      const i = line.indexOf(':');
      const name = line.slice(0, i).trim().toLowerCase();
      const value = line.slice(i + 1).trim();
      if (name === 'content-length') this.length = Number(value);
      if (name === 'transfer-encoding' && value.toLowerCase().includes('chunked')) this.chunked = true;
    }
  }

  private take(bytes: Buffer, now: number, p: Pending): void {
    if (bytes.length === 0) return;
    if (this.firstByteMs < 0) this.firstByteMs = now - p.started;
    this.body.push(bytes);
    this.bodySize += bytes.length;
  }

  private readLength(now: number, p: Pending): void {
    const want = Math.max(0, this.length - this.bodySize);
    const part = this.buf.subarray(0, want);
    this.take(Buffer.from(part), now, p);
    this.buf = this.buf.subarray(part.length);
    if (this.length >= 0 && this.bodySize >= this.length) this.done(now, p);
  }

  private readChunks(now: number, p: Pending): void {
    for (;;) {
      const eol = this.buf.indexOf(CRLF);
      if (eol < 0) return;
      const size = Number.parseInt(this.buf.subarray(0, eol).toString('latin1'), 16);
      if (size === 0) {
        // Last chunk: its line, no trailers, then the closing CRLF.
        if (this.buf.length < eol + 4) return;
        this.buf = this.buf.subarray(eol + 4);
        this.done(now, p);
        return;
      }
      if (this.buf.length < eol + 2 + size + 2) return;
      this.take(Buffer.from(this.buf.subarray(eol + 2, eol + 2 + size)), now, p);
      this.buf = this.buf.subarray(eol + 2 + size + 2);
    }
  }

  private done(now: number, p: Pending): void {
    this.pending = undefined;
    p.resolve({
      status: this.status,
      headersMs: this.headersMs,
      firstByteMs: this.firstByteMs < 0 ? now - p.started : this.firstByteMs,
      totalMs: now - p.started,
      body: Buffer.concat(this.body, this.bodySize).toString('utf8'),
    });
  }
}
