type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|api_?key/i;

/** Fields whose name looks secret are never printed. */
function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_KEY.test(k)) out[k] = '[redacted]';
    else if (v instanceof Error) out[k] = v.message;
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = redact(v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

/** One JSON line per record on stderr. */
export function createLogger(level: Level = 'info', bindings: Record<string, unknown> = {}): Logger {
  const min = ORDER[level];
  const write = (l: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[l] < min) return;
    const rec = { t: new Date().toISOString(), level: l, msg, ...redact({ ...bindings, ...fields }) };
    process.stderr.write(`${JSON.stringify(rec)}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

export const silentLogger: Logger = createLogger('silent');
