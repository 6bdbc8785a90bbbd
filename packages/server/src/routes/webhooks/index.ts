import type { App } from '../../app';
import { registerCreateSubscription } from './create';
import { registerDeleteSubscription } from './delete';
import { registerListDeliveries } from './deliveries';
import { registerWebhookEvents } from './event-schemas';
import { registerListEventTypes } from './event-types';
import { registerListEvents } from './events';
import { registerGetSubscription } from './get';
import { registerListSubscriptions } from './list';
import { registerPauseSubscription } from './pause';
import { registerResumeSubscription } from './resume';
import { registerRetryDelivery } from './retry';
import { registerRotateSecret } from './rotate-secret';
import { registerTestSubscription } from './test';
import { registerUpdateSubscription } from './update';

/** `/campaigns/webhooks…`: register before `/campaigns/{id}`. */
export function registerWebhooks(app: App): void {
  registerListEventTypes(app);
  registerListEvents(app);
  registerCreateSubscription(app);
  registerListSubscriptions(app);
  registerGetSubscription(app);
  registerUpdateSubscription(app);
  registerDeleteSubscription(app);
  registerPauseSubscription(app);
  registerResumeSubscription(app);
  registerRotateSecret(app);
  registerTestSubscription(app);
  registerListDeliveries(app);
  registerRetryDelivery(app);
  registerWebhookEvents(app);
}
