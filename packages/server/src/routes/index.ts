import type { App } from '../app';
import { registerAdmin } from './admin/index';
import { registerCampaigns } from './campaigns/index';
import { registerSteps } from './steps/index';

/**
 * Every resource's routes. Fixed paths under /campaigns (steps/preview, lifecycle, suppressions,
 * webhooks) must be registered before `/campaigns/{id}`, which would otherwise match them.
 */
export function registerRoutes(app: App): void {
  registerAdmin(app);
  registerSteps(app);
  registerCampaigns(app);
}
