import type { App } from '../../app';
import { registerAddContacts } from './add';
import { registerContactChanges } from './changes';
import { registerDeleteContact } from './delete';
import { registerGetContact } from './get';
import { registerImportContacts } from './import';
import { registerListContacts } from './list';
import { registerUpdateContact } from './update';

/** `/campaigns/{id}/contacts…`; `changes` before `{contactId}`, which would match it. */
export function registerContacts(app: App): void {
  registerImportContacts(app);
  registerAddContacts(app);
  registerListContacts(app);
  registerContactChanges(app);
  registerGetContact(app);
  registerUpdateContact(app);
  registerDeleteContact(app);
}
