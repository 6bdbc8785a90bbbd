import type { App } from '../../app';
import { registerExport } from './get';

export function registerExports(app: App): void {
  registerExport(app);
}
