import type { App } from '../../app';
import { registerGetThread } from './get';
import { registerListThreads } from './list';
import { registerThreadMessages } from './messages';
import { registerReplyThread } from './reply';
import { registerUpdateThread } from './update';

export function registerThreads(app: App): void {
  registerListThreads(app);
  registerGetThread(app);
  registerThreadMessages(app);
  registerUpdateThread(app);
  registerReplyThread(app);
}
