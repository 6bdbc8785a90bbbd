import type { App } from '../app';
import { registerAdmin } from './admin/index';
import { registerCampaignMailboxes } from './campaign-mailboxes/index';
import { registerCampaigns } from './campaigns/index';
import { registerContacts } from './contacts/index';
import { registerExports } from './export/index';
import { registerImports } from './imports/index';
import { registerInbox } from './inbox/index';
import { registerLaunchRoutes } from './launch/index';
import { registerLifecycle } from './lifecycle/index';
import { registerMailboxes } from './mailboxes/index';
import { registerPreflightRoutes } from './preflight/index';
import { registerSchedule } from './schedule/index';
import { registerSends } from './sends/index';
import { registerStats } from './stats/index';
import { registerSteps } from './steps/index';
import { registerSubsequences } from './subsequences/index';
import { registerSuppressions } from './suppressions/index';
import { registerThreads } from './threads/index';
import { registerUnsubscribeRoutes } from './unsubscribe/index';
import { registerWebhooks } from './webhooks/index';

/**
 * Every resource's routes. Fixed paths under /campaigns (steps/preview, lifecycle, suppressions,
 * webhooks) must be registered before `/campaigns/{id}`, which would otherwise match them.
 */
export function registerRoutes(app: App): void {
  registerAdmin(app);
  registerSteps(app);
  registerLifecycle(app);
  registerSchedule(app);
  registerSuppressions(app);
  registerWebhooks(app);
  registerCampaigns(app);
  registerSubsequences(app);
  registerContacts(app);
  registerImports(app);
  registerSends(app);
  registerStats(app);
  registerExports(app);
  registerUnsubscribeRoutes(app);
  registerMailboxes(app);
  registerCampaignMailboxes(app);
  registerPreflightRoutes(app);
  registerLaunchRoutes(app);
  registerThreads(app);
  registerInbox(app);
}
