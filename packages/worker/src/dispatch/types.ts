/** The shapes the dispatch modules pass each other, and the options of a worker's dispatcher. */
import type { Variant } from '@outreach/shared/db/schema/campaigns';
import type { MailTransport } from '../adapters/smtp';
import type {
  PlanCampaign,
  PlanCampaignMailbox,
  PlanContact,
  PlanState,
  PlanStep,
  Reservation,
} from './plan';

export const DAY_MS = 86_400_000;

export interface DispatchOptions {
  /** slots per campaign mailbox per tick when its gap and jitter are 0. */
  maxBatch?: number;
  /** how long a `sending` row (handed to SMTP) is held before another worker settles it as interrupted. */
  sendLeaseMs?: number;
  /** how long reserved contacts are held out of the due set while their sends wait. */
  holdMs?: number;
  /** tries per send (first + retries) before it is `failed`. */
  maxAttempts?: number;
  /** backoff of SMTP retries: base and cap, ms. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** most mailboxes sending at once (per worker). */
  maxParallelMailboxes?: number;
  /** wait for the reserved sends to be delivered before the tick returns (tests); the loop does not. */
  awaitDelivery?: boolean;
  /** the sender of a mailbox; default: a pooled nodemailer transport per mailbox. */
  transports?: TransportPool;
  /** the worker process (its lease ids and tokens start with it, see queue/liveness.ts). */
  workerId?: string;
  /**
   * called when a mailbox's queue drops below half a batch while it sends: the loop ticks again
   * now (a mailbox with more due work gets it before its queue runs dry).
   */
  wake?: () => void;
  /** called with the sends just reserved, before they go to the queues (tests widen the window). */
  onReserved?: (sends: { sendId: string; contactId: string }[]) => Promise<void>;
}

export const DEFAULTS = {
  maxBatch: 100,
  sendLeaseMs: 5 * 60_000,
  holdMs: 10 * 60_000,
  maxAttempts: 5,
  retryBaseMs: 5 * 60_000,
  retryMaxMs: 2 * 3_600_000,
  maxParallelMailboxes: 16,
  awaitDelivery: true,
};

export type ResolvedOptions = typeof DEFAULTS &
  Pick<DispatchOptions, 'onReserved' | 'workerId' | 'wake'> & { transports: TransportPool };

export interface TickReport {
  interrupted: number;
  reserved: number;
  sent: number;
  retried: number;
  failed: number;
  bounced: number;
  skipped: number;
  completedContacts: number;
  completedCampaigns: string[];
}

export function emptyReport(): TickReport {
  return {
    interrupted: 0,
    reserved: 0,
    sent: 0,
    retried: 0,
    failed: 0,
    bounced: 0,
    skipped: 0,
    completedContacts: 0,
    completedCampaigns: [],
  };
}

/** The SMTP senders of one worker, by mailbox (tests substitute an in-process sink). */
export interface TransportPool {
  /** the mailbox's transport; a promise when it must be made first (its host resolved and checked). */
  get(mailbox: MailboxRow, password: () => string): MailTransport | Promise<MailTransport>;
  closeAll(): void;
}

export interface MailboxRow {
  id: string;
  address: string;
  firstName: string;
  lastName: string | null;
  signatureHtml: string | null;
  smtp: { host: string; port: number; secure: boolean; username: string };
  smtpPassword: string;
  updatedAt: number;
}

export interface StepRow extends PlanStep {
  campaignId: string;
  subject: string;
  bodyHtml: string;
  bodyText: string | null;
  fullVariants: Variant[];
}

export interface CampaignInfo extends PlanCampaign {
  steps: StepRow[];
  stopOnBounce: boolean;
}

export interface DueContact extends PlanContact {
  email: string;
  firstName: string | null;
  lastName: string | null;
  customJson: Record<string, unknown>;
  /** in a subsequence: the Message-IDs of its thread, oldest first (In-Reply-To/References). */
  threadRefs?: string[];
  /** in a subsequence: the subjects a step without one answers to (see buildMail). */
  thread?: { subject: string | null; originSubject: string | null };
}

export interface LoadedState {
  plan: PlanState;
  campaigns: Map<string, CampaignInfo>;
  contacts: Map<string, DueContact>;
  activeCampaignIds: string[];
  /** every campaign mailbox of the campaigns in their window (any state). */
  attached?: PlanCampaignMailbox[];
  /** due contacts still `active` although their address or domain is suppressed. */
  suppressed?: { workspaceId: number; contactId: string }[];
}

/** A reserved send, ready to be claimed and delivered. */
export interface ReservedSend {
  sendId: string;
  token: string;
  reservation: Reservation;
  mailbox: MailboxRow;
  /** the campaign's steps (for the next step's delay). */
  steps: PlanStep[];
  /** Message-IDs of the contact's earlier messages, oldest first. */
  earlier: string[];
  contact: DueContact;
  step: StepRow;
  variantId: string | null;
  messageId: string;
  /** the campaign's stop rule: false keeps a bounced contact's later steps. */
  stopOnBounce: boolean;
}

export type Stmt = { sql: string; args: (string | number | null)[] };

/** Raw-client row values. */
export const num = (v: unknown) => Number(v);
export const str = (v: unknown) => (v == null ? null : String(v));
export const json = <T>(v: unknown, fallback: T): T => {
  if (v == null) return fallback;
  if (typeof v !== 'string') return v as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
};
