import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from '../src/log';

function capture(level: Parameters<typeof createLogger>[0] = 'debug') {
  const lines: string[] = [];
  const log = createLogger(level, { service: 'test' }, { write: (l: string) => lines.push(l) });
  return { log, records: () => lines.map((l) => JSON.parse(l)) };
}

describe('logger', () => {
  it('an unexpected error keeps its type, message, stack and cause', () => {
    const { log, records } = capture();
    const err = new TypeError('boom', { cause: new Error('disk full') });
    log.error('unhandled error', { err, path: '/campaigns' });
    log.warn('job failed', { error: new RangeError('out of range') });
    const [first, second] = records();
    expect(first).toMatchObject({
      level: 'error',
      msg: 'unhandled error',
      path: '/campaigns',
      service: 'test',
    });
    expect(first.err.type).toBe('TypeError');
    expect(first.err.message).toContain('boom');
    expect(first.err.stack).toContain('TypeError: boom');
    expect(first.err.stack).toContain('log.test.ts');
    expect(JSON.stringify(first.err)).toContain('disk full');
    expect(first.time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(second.error.stack).toContain('RangeError: out of range');
  });

  it('redacts secret fields at the top and nested', () => {
    const { log, records } = capture();
    log.info('mailbox', {
      password: 'hunter2-top',
      smtp: { host: 'mx', password: 'hunter2-nested' },
      headers: { authorization: 'Bearer osk_secret' },
      body: { api_key: 'osk_live_1', deep: { secret: 'whsec_1' } },
      address: 'a@b.io',
    });
    const text = JSON.stringify(records());
    for (const s of ['hunter2-top', 'hunter2-nested', 'osk_secret', 'osk_live_1', 'whsec_1'])
      expect(text).not.toContain(s);
    const [r] = records();
    expect(r.password).toBe(REDACTED);
    expect(r.smtp).toEqual({ host: 'mx', password: REDACTED });
    expect(r.headers.authorization).toBe(REDACTED);
    expect(r.body.deep.secret).toBe(REDACTED);
    expect(r.address).toBe('a@b.io');
  });

  it('honours the level (OUTREACH_LOG_LEVEL); silent prints nothing', () => {
    const warn = capture('warn');
    warn.log.info('quiet');
    warn.log.debug('quieter');
    warn.log.warn('loud');
    expect(warn.records().map((r) => r.msg)).toEqual(['loud']);
    const silent = capture('silent');
    silent.log.error('nothing', { err: new Error('x') });
    expect(silent.records()).toEqual([]);
  });
});
