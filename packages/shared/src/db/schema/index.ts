export * from './campaigns';
export * from './contacts';
export * from './mailboxes';
export * from './sends';
export * from './workspaces';
export * from './inbox';
