import type { App } from '../app';
import { registerAdmin } from './admin/index';
import { registerCampaigns } from './campaigns/index';
import { registerContacts } from './contacts/index';
import { registerImports } from './imports/index';
import { registerSteps } from './steps/index';
import { registerSuppressions } from './suppressions/index';

/**
 * Every resource's routes. Fixed paths under /campaigns (steps/preview, lifecycle, suppressions,
 * webhooks) must be registered before `/campaigns/{id}`, which would otherwise match them.
 */
export function registerRoutes(app: App): void {
  registerAdmin(app);
  registerSteps(app);
  registerSuppressions(app);
  registerCampaigns(app);
  registerContacts(app);
  registerImports(app);
}
