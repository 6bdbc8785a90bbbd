import { z } from '@hono/zod-openapi';
import { WEEKDAYS } from '@outreach/shared';

/** Loosely typed on purpose: `validateSchedule` names every bad field in one answer. */
export const PutScheduleBody = z
  .object({
    timezone: z.string().max(100).openapi({ example: 'America/New_York', description: 'IANA time zone' }),
    weekdays: z
      .array(z.string().openapi({ enum: [...WEEKDAYS] }))
      .max(7)
      .openapi({ example: ['mon', 'tue', 'wed', 'thu', 'fri'] }),
    windows: z
      .array(
        z.object({
          start: z.string().openapi({ example: '09:00', description: 'HH:MM' }),
          end: z.string().openapi({ example: '12:00', description: 'HH:MM (24:00 = midnight)' }),
        }),
      )
      .max(48)
      .openapi({
        example: [
          { start: '09:00', end: '12:00' },
          { start: '14:00', end: '17:00' },
        ],
      }),
  })
  .openapi('PutSchedule');

export const PutStopRulesBody = z
  .object({
    stopOnReply: z.boolean().optional().openapi({ description: 'default true' }),
    stopOnUnsub: z.boolean().optional().openapi({ description: 'default true' }),
    stopOnBounce: z.boolean().optional().openapi({ description: 'default true' }),
    stopOnAutoReply: z.boolean().optional().openapi({ description: 'default false' }),
    stopOnCompanyReply: z.boolean().optional().openapi({
      description: 'default false: a reply from one address at a domain stops every contact of that domain',
    }),
  })
  .openapi('PutStopRules');
