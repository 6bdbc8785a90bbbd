import type { App } from '../../app';
import { registerMappingConfirm } from './confirm';
import { registerCreateImport } from './create';
import { registerMappingPreview } from './preview';
import { registerImportStatus } from './status';

export function registerImports(app: App): void {
  registerCreateImport(app);
  registerMappingPreview(app);
  registerMappingConfirm(app);
  registerImportStatus(app);
}
