import type { App } from '../../app';
import { registerAddSuppressions } from './add';
import { registerDeleteSuppression } from './delete';
import { registerListSuppressions } from './list';
import { registerSuppressionStatus } from './status';

/** `/campaigns/suppressions…`: register before `/campaigns/{id}`. */
export function registerSuppressions(app: App): void {
  registerAddSuppressions(app);
  registerSuppressionStatus(app);
  registerListSuppressions(app);
  registerDeleteSuppression(app);
}
