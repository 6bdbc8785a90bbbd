import type { App } from '../../app';
import { registerUnsubscribePage } from './page';
import { registerUnsubscribe } from './post';

/** Public routes (no API key): `/u/` is in the app's public paths. */
export function registerUnsubscribeRoutes(app: App): void {
  registerUnsubscribePage(app);
  registerUnsubscribe(app);
}
