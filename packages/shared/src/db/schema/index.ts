export * from './campaigns';
export * from './contacts';
export * from './events';
export * from './jobs';
export * from './mailboxes';
export * from './sends';
export * from './workers';
export * from './workspaces';
