import type { App } from '../../app';
import { registerAttachMailbox } from './attach';
import { registerDetachMailbox } from './detach';
import { registerListCampaignMailboxes } from './list';
import { registerUpdateCampaignMailbox } from './update';

export function registerCampaignMailboxes(app: App): void {
  registerAttachMailbox(app);
  registerListCampaignMailboxes(app);
  registerUpdateCampaignMailbox(app);
  registerDetachMailbox(app);
}
