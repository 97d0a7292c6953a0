/** Structured one-line JSON logs. Keys and tokens are never passed in; `redact` guards what might carry them. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A line whose fields come already serialised as JSON members (`"a":1,"b":"x"`): the per-request line, built without an object. */
  members(level: LogLevel, msg: string, members: string): void;
  enabled(level: LogLevel): boolean;
}

export type LogSink = (line: string) => void;

let pending = '';
let scheduled = false;

/** Writes what the buffered sink holds; shutdown calls it before the process exits. */
export function flushLogs(): void {
  scheduled = false;
  if (pending === '') return;
  const out = pending;
  pending = '';
  process.stdout.write(out);
}

/** Lines of one tick go out in one write: under load, logging costs no write per request. */
const stdoutSink: LogSink = (line) => {
  pending += line;
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushLogs);
  }
};

/** A logger that writes lines at or above `level` to `sink` (stdout by default). */
export function createLogger(level: LogLevel, sink: LogSink = stdoutSink, secrets: readonly string[] = []): Logger {
  const min = RANK[level];
  const scrub = secretScrubber(secrets);
  const head = (lvl: LogLevel, msg: string) => `{"time":"${isoNow()}","level":"${lvl}","msg":${JSON.stringify(msg)}`;
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return;
    // Built by hand around one stringify of the fields: no object copy, no replacer unless needed.
    const body = fields ? JSON.stringify(fields, holdsError(fields) ? errorReplacer : undefined) : '{}';
    const line = body.length > 2 ? `${head(lvl, msg)},${body.slice(1)}` : `${head(lvl, msg)}}`;
    sink(`${scrub(line)}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    members: (lvl, m, members) => {
      if (RANK[lvl] >= min) sink(`${scrub(`${head(lvl, m)},${members}}`)}\n`);
    },
    enabled: (lvl) => RANK[lvl] >= min,
  };
}

let isoMs = 0;
let isoText = '';

/** The current time in ISO 8601; formatted once per millisecond, however many lines share it. */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
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
export const silentLogger: Logger = createLogger('error', () => undefined);
