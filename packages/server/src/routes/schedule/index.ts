import type { App } from '../../app';
import { registerPutSchedule } from './schedule';
import { registerPutStopRules } from './stop-rules';

export function registerSchedule(app: App): void {
  registerPutSchedule(app);
  registerPutStopRules(app);
}
