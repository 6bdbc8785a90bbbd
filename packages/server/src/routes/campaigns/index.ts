import type { App } from '../../app';
import { registerCreateCampaign } from './create';
import { registerDeleteCampaign } from './delete';
import { registerGetCampaign } from './get';
import { registerListCampaigns } from './list';
import { registerUpdateCampaign } from './update';

export function registerCampaigns(app: App): void {
  registerCreateCampaign(app);
  registerListCampaigns(app);
  registerGetCampaign(app);
  registerUpdateCampaign(app);
  registerDeleteCampaign(app);
}
