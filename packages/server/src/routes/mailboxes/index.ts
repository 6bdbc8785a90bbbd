import type { App } from '../../app';
import { registerCreateMailbox } from './create';
import { registerDeleteMailbox } from './delete';
import { registerGetMailbox } from './get';
import { registerListMailboxes } from './list';
import { registerUpdateMailbox } from './update';
import { registerVerifyMailbox } from './verify';

export function registerMailboxes(app: App): void {
  registerCreateMailbox(app);
  registerListMailboxes(app);
  registerGetMailbox(app);
  registerUpdateMailbox(app);
  registerDeleteMailbox(app);
  registerVerifyMailbox(app);
}
