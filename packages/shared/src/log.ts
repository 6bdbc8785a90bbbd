/**
 * JSON lines on stderr through pino: errors keep their type, message, stack and cause (pino's
 * standard error serialiser, for an Error under any field), and secret-looking fields are
 * redacted wherever they sit in the first three levels of a record.
 */
import pino, { stdSerializers } from 'pino';

type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Field names whose values are never printed. */
const SECRET_FIELDS = [
  'password',
  'pass',
  'smtpPassword',
  'imapPassword',
  'authorization',
  'cookie',
  'api_key',
  'apiKey',
  'secret',
  'secretKey',
  'token',
  'adminToken',
];
export const REDACTED = '[redacted]';
const REDACT_PATHS = SECRET_FIELDS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

/** Errors anywhere among the fields get the standard serialiser, not only under `err`. */
function serialiseErrors(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields))
    out[k] = v instanceof Error ? stdSerializers.errWithCause(v) : v;
  return out;
}

/** One JSON line per record on `destination` (stderr). */
export function createLogger(
  level: Level = 'info',
  bindings: Record<string, unknown> = {},
  destination: { write(line: string): unknown } = process.stderr,
): Logger {
  const p = pino(
    {
      level,
      base: bindings,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Already serialised by serialiseErrors.
      serializers: { err: (v: unknown) => v },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    destination as pino.DestinationStream,
  );
  const at =
    (l: Exclude<Level, 'silent'>) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      if (!p.isLevelEnabled(l)) return;
      if (fields) p[l](serialiseErrors(fields), msg);
      else p[l](msg);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = createLogger('silent');
