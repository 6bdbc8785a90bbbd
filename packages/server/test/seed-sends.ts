/**
 * Test data for the read side: a campaign with steps (and variants), contacts in given
 * statuses and send rows written with SQL, as the dispatch loop would leave them.
 */
import {
  createCampaign,
  createStep,
  type Deps,
  newId,
  type SendStatus,
  upsertContacts,
} from '@outreach/shared';

export interface SeedSend {
  contact: number;
  step: number;
  /** index of the step's variant, if it has variants. */
  variant?: number;
  status: SendStatus;
  attempts?: number;
  error?: string | null;
  to?: string;
}

export interface Seeded {
  campaignId: string;
  stepIds: string[];
  variantIds: string[][];
  contactIds: string[];
  emails: string[];
  sendIds: string[];
}

export async function seedCampaign(
  deps: Deps,
  workspaceId: number,
  spec: {
    name?: string;
    steps: { variants?: number[] }[];
    contacts: {
      email: string;
      status?: string;
      custom?: Record<string, unknown>;
      firstName?: string | null;
      lastName?: string | null;
    }[];
    sends?: SeedSend[];
  },
): Promise<Seeded> {
  const now = deps.clock.now();
  const campaign = await createCampaign(deps.db, workspaceId, { name: spec.name ?? 'Seeded' }, now);
  const stepIds: string[] = [];
  const variantIds: string[][] = [];
  for (const [i, s] of spec.steps.entries()) {
    const step = await createStep(
      deps.db,
      workspaceId,
      campaign.id,
      {
        order: i + 1,
        subject: `Step ${i + 1} {{firstName}}`,
        bodyHtml: `<p>Body ${i + 1}</p>`,
        delaySeconds: i === 0 ? 0 : 60,
        variants: s.variants?.map((weight, v) => ({ subject: `Variant ${v}`, weight })),
      },
      now,
    );
    stepIds.push(step.id);
    variantIds.push(step.variants.map((v) => v.id));
  }
  await upsertContacts(
    deps.db,
    { workspaceId, campaignId: campaign.id },
    spec.contacts.map((c) => ({
      email: c.email.toLowerCase(),
      firstName: c.firstName ?? null,
      lastName: c.lastName ?? null,
      custom: c.custom ?? {},
    })),
    now,
  );
  const res = await deps.db.client.execute({
    sql: 'SELECT id, email FROM contacts WHERE campaign_id = ?',
    args: [campaign.id],
  });
  const idByEmail = new Map(res.rows.map((r) => [r.email as string, r.id as string]));
  const contactIds = spec.contacts.map((c) => idByEmail.get(c.email.toLowerCase())!);
  const statements: { sql: string; args: (string | number | null)[] }[] = [];
  spec.contacts.forEach((c, i) => {
    if (c.status)
      statements.push({
        sql: 'UPDATE contacts SET status = ? WHERE id = ?',
        args: [c.status, contactIds[i]!],
      });
  });
  const sendIds: string[] = [];
  for (const [i, s] of (spec.sends ?? []).entries()) {
    const id = newId('send', now + i);
    sendIds.push(id);
    const delivered = s.status === 'sent' || s.status === 'replied';
    statements.push({
      sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, variant_id, mailbox_id, campaign_mailbox_id,
              to_email, status, attempts, scheduled_at, sent_at, message_id, error, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, 'mbx_seed', 'cmb_seed', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        id,
        workspaceId,
        campaign.id,
        contactIds[s.contact]!,
        stepIds[s.step]!,
        s.variant === undefined ? null : variantIds[s.step]![s.variant]!,
        s.to ?? spec.contacts[s.contact]!.email.toLowerCase(),
        s.status,
        s.attempts ?? (delivered ? 1 : 0),
        now + i * 1000,
        delivered ? now + i * 1000 + 500 : null,
        `<${id}@seed.test>`,
        s.error ?? null,
        now,
        now,
      ],
    });
  }
  if (statements.length > 0) await deps.db.client.batch(statements, 'write');
  return {
    campaignId: campaign.id,
    stepIds,
    variantIds,
    contactIds,
    emails: spec.contacts.map((c) => c.email.toLowerCase()),
    sendIds,
  };
}
