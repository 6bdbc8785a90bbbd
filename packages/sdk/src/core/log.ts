export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';
export type Logger = Pick<Console, 'debug' | 'info' | 'warn' | 'error'>;

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, off: 4 };

export function shouldLog(level: LogLevel, message: Exclude<LogLevel, 'off'>): boolean {
  return RANK[message] >= RANK[level];
}

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && v in RANK;
}
