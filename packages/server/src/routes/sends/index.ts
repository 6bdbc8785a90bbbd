import type { App } from '../../app';
import { registerListSends } from './list';

export function registerSends(app: App): void {
  registerListSends(app);
}
