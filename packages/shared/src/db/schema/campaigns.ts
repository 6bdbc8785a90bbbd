import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Schedule } from '../../domain/schedule';

export type Priority = 'HIGH' | 'MEDIUM' | 'LOW';
export type CampaignStatus = 'draft' | 'active' | 'paused' | 'completed' | 'errored';

export interface StopRules {
  stopOnReply: boolean;
  stopOnUnsub: boolean;
  stopOnBounce: boolean;
  stopOnAutoReply: boolean;
  stopOnCompanyReply: boolean;
}

/** Reply-intent routing into subsequences (API.md "Subsequences"): the first matching rule wins. */
export interface RoutingRule {
  trigger: 'reply_intent';
  value: string;
  subsequenceId: string;
}
export interface RoutingPolicy {
  rules: RoutingRule[];
}

export interface Variant {
  id: string;
  subject: string | null;
  bodyHtml: string | null;
  bodyText: string | null;
  weight: number;
}

export const campaigns = sqliteTable(
  'campaigns',
  {
    id: text('id').primaryKey(),
    workspaceId: integer('workspace_id').notNull(),
    name: text('name').notNull(),
    priority: text('priority').$type<Priority>().notNull(),
    status: text('status').$type<CampaignStatus>().notNull(),
    schedule: text('schedule', { mode: 'json' }).$type<Schedule | null>(),
    stopRules: text('stop_rules', { mode: 'json' }).$type<StopRules>().notNull(),
    routingPolicy: text('routing_policy', { mode: 'json' }).$type<RoutingPolicy | null>(),
    launchedAt: integer('launched_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('campaigns_workspace').on(t.workspaceId, t.id), index('campaigns_status').on(t.status)],
);

export const steps = sqliteTable(
  'steps',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull(),
    /** null for the main sequence. */
    subsequenceId: text('subsequence_id'),
    order: integer('position').notNull(),
    subject: text('subject').notNull(),
    bodyHtml: text('body_html').notNull(),
    bodyText: text('body_text'),
    delaySeconds: integer('delay_seconds').notNull(),
    variants: text('variants', { mode: 'json' }).$type<Variant[]>().notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('steps_campaign').on(t.campaignId, t.order)],
);
