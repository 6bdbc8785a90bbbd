export * from './campaigns';
export * from './contacts';
export * from './counters';
export * from './inbox';
export * from './mailboxes';
export * from './sends';
export * from './webhooks';
export * from './workspaces';
