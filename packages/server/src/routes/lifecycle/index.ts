import type { App } from '../../app';
import { registerChangeLifecycle } from './change';
import { registerDescribeLifecycle } from './describe';

/** `GET /campaigns/lifecycle` is a fixed path: register before `/campaigns/{id}`. */
export function registerLifecycle(app: App): void {
  registerDescribeLifecycle(app);
  registerChangeLifecycle(app);
}
