import type { App } from '../../app';
import { registerMailboxPreflight } from './mailbox-preflight';
import { registerPreflight } from './preflight';

export function registerPreflightRoutes(app: App): void {
  registerPreflight(app);
  registerMailboxPreflight(app);
}
