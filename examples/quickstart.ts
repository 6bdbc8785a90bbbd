/**
 * The seed's flow through the SDK: create a campaign, add its steps (one with A/B variants),
 * preview a step, import contacts, attach the registered mailboxes, set the schedule, run
 * preflight, launch when nothing blocks, read the stats.
 *
 *   pnpm outreach start            # prints a first-run API key and workspace id
 *   OUTREACH_URL=http://localhost:8080 OUTREACH_API_KEY=osk_… OUTREACH_WORKSPACE_ID=1 \
 *     pnpm --filter @outreach/examples quickstart
 */
import { APIError, Outreach } from '@outreach/sdk';

// apiKey, baseURL and workspaceId come from OUTREACH_API_KEY, OUTREACH_URL, OUTREACH_WORKSPACE_ID.
const client = new Outreach();

async function main(): Promise<void> {
  // 1. Create campaign
  const campaign = await client.campaigns.create({ name: 'Q1 SaaS Outreach', priority: 'HIGH' });
  console.log(`campaign ${campaign.id} (${campaign.status}, priority ${campaign.priority})`);

  // 2. Add steps (email templates); delayDays is stored as delaySeconds
  await client.steps.create(campaign.id, {
    order: 1,
    subject: 'Quick question about {{company}}',
    bodyHtml:
      '<p>Hi {{firstName}},</p><p>I noticed {{company}} is growing fast. We help companies like yours with...</p><p>Would you be open to a quick chat?</p><p>Best,<br/>{{senderFirstName}}</p>',
    bodyText:
      'Hi {{firstName}},\n\nI noticed {{company}} is growing fast. We help companies like yours with...\n\nWould you be open to a quick chat?\n\nBest,\n{{senderFirstName}}',
  });
  await client.steps.create(campaign.id, {
    order: 2,
    delayDays: 3,
    subject: 'Re: Quick question about {{company}}',
    bodyHtml:
      '<p>Hi {{firstName}},</p><p>Just wanted to follow up on my last email. Would love to connect this week.</p><p>{{senderFirstName}}</p>',
  });
  const last = await client.steps.create(campaign.id, {
    order: 3,
    delayDays: 5,
    subject: 'Last try — {{firstName}}',
    bodyHtml:
      "<p>Hi {{firstName}},</p><p>I'll keep this short — is this something worth exploring?</p><p>If not, no worries at all.</p><p>{{senderFirstName}}</p>",
  });

  // A/B test: the first step gets two variants drawn 50/50 (stable per contact)
  const steps = await client.steps.list(campaign.id);
  const first = steps.items.find((s) => s.order === 1);
  if (first) {
    const ab = await client.steps.update(first.id, {
      variants: [
        {
          subject: 'Quick question about {{company}}',
          bodyHtml: '<p>Variant A — direct approach...</p>',
          weight: 50,
        },
        {
          subject: 'Idea for {{company}}',
          bodyHtml: '<p>Variant B — value-first approach...</p>',
          weight: 50,
        },
      ],
    });
    console.log(`step 1 variants: ${ab.variants.map((v) => `${v.id} (weight ${v.weight})`).join(', ')}`);
  }

  // Preview a step for one contact
  const preview = await client.steps.preview({
    step: {
      subject: 'Quick question about {{company}}',
      bodyHtml: '<p>Hi {{firstName}},</p><p>I noticed {{company}} is growing fast...</p>',
    },
    contact: { firstName: 'Sarah', lastName: 'Chen', company: 'Acme Corp', email: 'sarah@acme.com' },
  });
  console.log(`preview: ${preview.subject}\n         ${preview.bodyHtml}`);

  // Edit and remove a step (the seed's paths take the step id alone)
  await client.steps.update(last.id, { subject: 'Updated subject line', delayDays: 2 });
  for await (const step of client.steps.list(campaign.id)) {
    console.log(`  step ${step.order}: "${step.subject}" after ${step.delaySeconds / 86_400} day(s)`);
  }

  // 3. Import contacts (CSV text, bytes or a Blob; larger files through client.imports)
  const counts = await client.contacts.import(
    campaign.id,
    'email,firstName,lastName,company,title\nsarah@acme.com,Sarah,Chen,Acme Corp,VP Sales\nmike@bigco.com,Mike,Johnson,BigCo,CTO\n',
  );
  console.log(`imported ${counts.imported} contacts (${counts.invalid} invalid)`);

  // 4. Attach mailboxes: register one (client.mailboxes.create with its SMTP + IMAP logins), then
  //    client.campaigns.mailboxes.create(campaign.id, { mailboxAddress, dailyLimit: 50, weight: 100 })
  const mailboxes = await client.mailboxes.list();
  for (const m of mailboxes.items) {
    await client.campaigns.mailboxes.create(campaign.id, {
      mailboxAddress: m.address,
      dailyLimit: 50,
      weight: 100,
    });
  }

  // 5. Set schedule
  await client.campaigns.setSchedule(campaign.id, {
    timezone: 'America/New_York',
    weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
    windows: [{ start: '09:00', end: '17:00' }],
  });

  // 6. Preflight check
  const preflight = await client.campaigns.preflight(campaign.id);
  console.log(`preflight: ${preflight.summary}`);

  // 7. Launch once nothing blocks (a blocking failure would be a ConflictError `preflight_failed`)
  if (preflight.blockingFailures.length === 0) {
    const launched = await client.campaigns.launch(campaign.id);
    console.log(`launched: ${launched.status}`);
  }

  // 8. Track analytics
  const stats = await client.campaigns.stats(campaign.id);
  console.log(
    `contacts: ${stats.contacts.total} (${stats.contacts.pending} pending), sends: ${stats.sends.total}`,
  );
}

main().catch((err: unknown) => {
  if (err instanceof APIError) {
    console.error(`${err.name}: ${err.message} (request ${err.requestId})`);
  } else {
    console.error(err);
  }
  process.exit(1);
});
