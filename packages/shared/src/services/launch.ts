/**
 * Launch: preflight, then enrolment of pending contacts and the campaign's move to `active`.
 *
 * Enrolment is set-based: one `UPDATE contacts … WHERE id IN (SELECT id … LIMIT n)` turns the
 * first n pending contacts (by id, i.e. import order) `active` with `enrolledAt = now` and their
 * first `nextSendAt = now + first step's delay` (the sending engine fits it into the schedule's
 * windows and picks the sticky sender at step 1, so `mailboxId` stays null). One
 * `INSERT … SELECT` writes their `contact.status_changed` events in the same batch.
 *
 * `limit` caps the number of contacts ever enrolled in the campaign (gradual rollout): a launch
 * with `limit: 100` enrols up to 100; a relaunch with `limit: 250` enrols up to 150 more; a
 * relaunch with the same limit enrols nothing. Without `limit`, every pending contact is
 * enrolled; on an active campaign whose contacts are all enrolled that is a no-op success.
 * The cap is computed inside the statement, so concurrent launches cannot exceed it, and a
 * launch job that runs twice (a retried lease) ends in the same state.
 */
import type { InStatement } from '@libsql/client';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { jobs } from '../db/schema/index';
import type { Deps } from '../deps';
import { transition } from '../domain/lifecycle';
import { AppError } from '../errors';
import { eventInsert } from '../events';
import { sqlId } from '../ids';
import { type CampaignRow, getCampaign } from './campaigns';
import { STATUS_CHANGED_EVENT } from './contacts';
import { jobInsert } from './jobs';
import { changeCampaignStatus, invalidTransition } from './lifecycle';
import type { MailboxChecker } from './mailboxes';
import { type PreflightResult, preflightCampaign } from './preflight';

export const LAUNCH_JOB_KIND = 'launch';

export interface LaunchOptions {
  /** cap on the contacts enrolled in the campaign, all launches together; absent = all pending. */
  limit?: number | null;
}

export interface LaunchOutcome {
  campaignId: string;
  /** contacts enrolled by this launch. */
  enrolled: number;
  /** true when the campaign moved from draft to active now. */
  launched: boolean;
}

export type LaunchJobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface LaunchJob {
  jobId: string;
  campaignId: string;
  status: LaunchJobStatus;
  enrolled: number;
  limit: number | null;
  error: string | null;
  createdAt: number;
  finishedAt: number | null;
}

/** 409 `invalid_transition` naming the allowed actions when a campaign in this state cannot be launched. */
function assertLaunchable(campaign: CampaignRow): void {
  if (!transition(campaign.status, 'launch').ok)
    throw invalidTransition(campaign.id, campaign.status, 'launch');
}

/** 409 `preflight_failed` carrying the checks. */
function preflightError(result: PreflightResult): AppError {
  return new AppError(
    'preflight_failed',
    `Preflight failed: ${result.blockingFailures.join(', ')}. ${result.summary}`,
    {
      checks: result.checks,
      blockingFailures: result.blockingFailures,
      summary: result.summary,
    },
  );
}

/**
 * The enrolment statements, for one write batch: the contacts' `contact.status_changed` events,
 * then their update. Both apply only while the campaign is active (a campaign paused meanwhile
 * enrols nobody); the update's `rowsAffected` is the number enrolled.
 */
export function enrolStatements(
  campaign: { id: string; workspaceId: number },
  opts: LaunchOptions,
  now: number,
): InStatement[] {
  const active = `EXISTS (SELECT 1 FROM campaigns WHERE id = :campaign AND workspace_id = :ws AND status = 'active')`;
  const quota =
    opts.limit == null
      ? '-1'
      : `max(0, :limit - (SELECT count(*) FROM contacts WHERE campaign_id = :campaign AND enrolled_at IS NOT NULL))`;
  const selection = `SELECT id FROM contacts WHERE campaign_id = :campaign AND status = 'pending' ORDER BY id LIMIT ${quota}`;
  const firstDelay = `coalesce((SELECT delay_seconds FROM steps WHERE campaign_id = :campaign AND subsequence_id IS NULL ORDER BY position LIMIT 1), 0)`;
  // Event ids made in SQL (see sqlId), in contact order.
  const eventId = sqlId('event', now, { param: ':prefix', orderBy: 'c.id', maxRows: 2 ** 20 });
  const args = {
    campaign: campaign.id,
    ws: campaign.workspaceId,
    now,
    prefix: eventId.prefix,
    ...(opts.limit == null ? {} : { limit: opts.limit }),
  };
  return [
    {
      sql: `INSERT INTO events (id, workspace_id, type, campaign_id, contact_id, data, created_at)
            SELECT ${eventId.sql}, c.workspace_id, '${STATUS_CHANGED_EVENT}', c.campaign_id, c.id,
              json_object('campaignId', c.campaign_id, 'contactId', c.id, 'email', c.email, 'status', 'active', 'previousStatus', 'pending', 'reason', 'launch'),
              :now
            FROM contacts c WHERE ${active} AND c.id IN (${selection})`,
      args,
    },
    {
      sql: `UPDATE contacts SET status = 'active', enrolled_at = :now, next_send_at = :now + 1000 * ${firstDelay}, updated_at = :now
            WHERE ${active} AND id IN (${selection})`,
      args,
    },
  ];
}

/**
 * Activates (a draft: `changeCampaignStatus(…, 'launch')`, which sets `launchedAt` and writes
 * `campaign.launched`) and enrols, without preflight (the caller ran it). Used by the sync route
 * and by the launch job. A relaunch of an active campaign only enrols. Throws 409
 * `invalid_transition` when the campaign is neither draft nor active.
 */
export async function enrolAndActivate(
  db: Db,
  workspaceId: number,
  campaignId: string,
  opts: LaunchOptions,
  now: number,
): Promise<LaunchOutcome> {
  const campaign = await getCampaign(db, workspaceId, campaignId);
  assertLaunchable(campaign);
  let launched = false;
  if (campaign.status === 'draft') {
    await changeCampaignStatus(db, workspaceId, campaignId, 'launch', now, {
      launchedAt: now,
      data: { limit: opts.limit ?? null },
    });
    launched = true;
  }
  const results = await db.client.batch(enrolStatements(campaign, opts, now), 'write');
  return { campaignId, enrolled: results[1]!.rowsAffected, launched };
}

/** Checks the state and runs preflight: 409 `invalid_transition` or 409 `preflight_failed`. */
export async function preflightForLaunch(
  deps: Pick<Deps, 'db' | 'secrets' | 'clock' | 'config'> & { log?: Deps['log'] },
  checker: MailboxChecker,
  workspaceId: number,
  campaignId: string,
  opts: { timeoutMs?: number } = {},
): Promise<{ campaign: CampaignRow; preflight: PreflightResult }> {
  const campaign = await getCampaign(deps.db, workspaceId, campaignId);
  assertLaunchable(campaign);
  const preflight = await preflightCampaign(deps, checker, campaign, opts);
  if (preflight.blockingFailures.length > 0) throw preflightError(preflight);
  return { campaign, preflight };
}

/** `POST /campaigns/{id}/launch` (sync): preflight, then enrolment in one batch. */
export async function launchCampaign(
  deps: Pick<Deps, 'db' | 'secrets' | 'clock' | 'config'> & { log?: Deps['log'] },
  checker: MailboxChecker,
  workspaceId: number,
  campaignId: string,
  opts: LaunchOptions & { timeoutMs?: number } = {},
): Promise<LaunchOutcome> {
  await preflightForLaunch(deps, checker, workspaceId, campaignId, opts);
  return enrolAndActivate(deps.db, workspaceId, campaignId, { limit: opts.limit }, deps.clock.now());
}

/**
 * `POST /campaigns/{id}/launch?async=true`: preflight now (so failures are a 409 at once), then
 * a `launch` job for the worker, written in one batch with its event.
 */
export async function queueLaunch(
  deps: Pick<Deps, 'db' | 'secrets' | 'clock' | 'config'> & { log?: Deps['log'] },
  checker: MailboxChecker,
  workspaceId: number,
  campaignId: string,
  opts: LaunchOptions & { timeoutMs?: number } = {},
): Promise<LaunchJob> {
  await preflightForLaunch(deps, checker, workspaceId, campaignId, opts);
  const now = deps.clock.now();
  const limit = opts.limit ?? null;
  const job = jobInsert(
    deps.db.orm,
    { workspaceId, kind: LAUNCH_JOB_KIND, refId: campaignId, payload: { campaignId, limit }, maxAttempts: 5 },
    now,
  );
  await deps.db.orm.batch([
    job.query,
    eventInsert(
      deps.db.orm,
      { workspaceId, type: 'campaign.launch_queued', campaignId, data: { jobId: job.id, limit } },
      now,
    ),
  ]);
  return {
    jobId: job.id,
    campaignId,
    status: 'queued',
    enrolled: 0,
    limit,
    error: null,
    createdAt: now,
    finishedAt: null,
  };
}

function jobStatus(state: string): LaunchJobStatus {
  if (state === 'running') return 'running';
  if (state === 'succeeded') return 'succeeded';
  if (state === 'failed' || state === 'dead') return 'failed';
  return 'queued';
}

/** `GET /campaigns/{id}/launch-jobs/{jobId}` (404 for another campaign's or workspace's job). */
export async function getLaunchJob(
  db: Db,
  workspaceId: number,
  campaignId: string,
  jobId: string,
): Promise<LaunchJob> {
  await getCampaign(db, workspaceId, campaignId);
  const row = await db.orm.query.jobs.findFirst({
    where: and(
      eq(jobs.id, jobId),
      eq(jobs.workspaceId, workspaceId),
      eq(jobs.kind, LAUNCH_JOB_KIND),
      eq(jobs.refId, campaignId),
    ),
  });
  if (!row) throw AppError.notFound('Launch job', jobId);
  const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as {
    limit?: number | null;
  };
  const result = (typeof row.result === 'string' ? JSON.parse(row.result) : row.result) as {
    enrolled?: number;
  } | null;
  return {
    jobId: row.id,
    campaignId,
    status: jobStatus(row.state),
    enrolled: Number(result?.enrolled ?? 0),
    limit: payload?.limit ?? null,
    error: row.state === 'succeeded' ? null : (row.error ?? null),
    createdAt: row.createdAt,
    finishedAt: row.finishedAt ?? null,
  };
}
