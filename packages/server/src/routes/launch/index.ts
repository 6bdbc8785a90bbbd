import type { App } from '../../app';
import { registerLaunch } from './launch';
import { registerLaunchJob } from './launch-job';

export function registerLaunchRoutes(app: App): void {
  registerLaunch(app);
  registerLaunchJob(app);
}
