import type { App } from '../../app';
import { registerClassify } from './classify';

/** `/inbox/…`: the classifier the inbox loop uses, callable on its own. */
export function registerInbox(app: App): void {
  registerClassify(app);
}
