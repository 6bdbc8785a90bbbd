import type { App } from '../../app';
import { registerCreateStep } from './create';
import { registerDeleteStep } from './delete';
import { registerListSteps } from './list';
import { registerPreviewStep } from './preview';
import { registerUpdateStep } from './update';

/** Step routes; `/campaigns/steps/…` are fixed paths, registered before `/campaigns/{id}`. */
export function registerSteps(app: App): void {
  registerPreviewStep(app);
  registerUpdateStep(app);
  registerDeleteStep(app);
  registerCreateStep(app);
  registerListSteps(app);
}
