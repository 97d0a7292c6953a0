/** Structured one-line JSON logs. Keys and tokens are never passed in; `redact` guards what might carry them. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
  /** Writes every line still held (shutdown, app stop). */
  flush(): void;
}

export type LogSink = (line: string) => void;

/**
 * A window in which lines share one write. A write per event-loop tick (as before) still meant a write
 * for nearly every request under load (~0.5–1 µs of CPU each); this is at most ~200 writes a second.
 */
const FLUSH_MS = 10;
/** Past this much pending text, it is written at once instead of waiting (a burst stays bounded). */
const FLUSH_BYTES = 16 * 1024;

/**
 * Lines for a stream. A line after a quiet spell is written at once (start-up, a lone request: nobody
 * waits for it) and opens a FLUSH_MS window; the lines that come within it are written together when it
 * ends. Secrets are masked once per write rather than once per line: a secret holds no newline, so it
 * cannot span two lines of a batch.
 */
export class LineBatcher {
  private pending = '';
  private window: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly scrub: (text: string) => string = (text) => text,
  ) {}

  readonly add: LogSink = (line) => {
    this.pending += line;
    if (this.window === undefined) {
      this.writePending();
      this.window = setTimeout(this.endWindow, FLUSH_MS);
    } else if (this.pending.length >= FLUSH_BYTES) this.writePending();
  };

  /** Writes what is held now (shutdown). */
  flush(): void {
    clearTimeout(this.window);
    this.window = undefined;
    this.writePending();
  }

  private readonly endWindow = (): void => {
    this.window = undefined;
    if (this.pending === '') return;
    this.writePending();
    this.window = setTimeout(this.endWindow, FLUSH_MS);
  };

  private writePending(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.write(this.scrub(text));
  }
}

/** A logger that writes lines at or above `level` to `sink` (stdout, batched, by default). */
export function createLogger(level: LogLevel, sink?: LogSink, secrets: readonly string[] = []): Logger {
  const min = RANK[level];
  const scrub = secretScrubber(secrets);
  const batcher = sink ? undefined : new LineBatcher((text) => process.stdout.write(text), scrub);
  const out: LogSink = batcher ? batcher.add : (line) => sink?.(scrub(line));
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return;
    const line = { time: new Date().toISOString(), level: lvl, msg, ...fields };
    out(`${JSON.stringify(line, fields && holdsError(fields) ? errorReplacer : undefined)}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    enabled: (lvl) => RANK[lvl] >= min,
    flush: () => batcher?.flush(),
  };
}

function holdsError(fields: LogFields): boolean {
  for (const key in fields) if (fields[key] instanceof Error) return true;
  return false;
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/** Last line of defence: any configured secret that slipped into a line is masked. */
function secretScrubber(secrets: readonly string[]): (line: string) => string {
  const list = secrets.filter((s) => s.length >= 4);
  if (list.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const s of list) if (out.includes(s)) out = out.replaceAll(s, '[REDACTED]');
    return out;
  };
}

/** A logger that drops everything. */
export function silentLogger(): Logger {
  return createLogger('error', () => undefined);
}
