import type { App } from '../../app';
import { registerGetStats } from './get';

export function registerStats(app: App): void {
  registerGetStats(app);
}
