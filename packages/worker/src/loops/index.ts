/**
 * Every loop a worker runs, in one explicit list. Adding a loop is one entry here (a `Loop`, or
 * a function making one per worker when the loop keeps state, like dispatch).
 */
import type { LoopEntry } from '../loop';
import { createDispatchLoop } from './dispatch';
import { importsHousekeeping, importsLoop } from './imports';
import { inboxLoop } from './inbox';
import { launchesLoop } from './launches';
import { createLivenessLoop } from './liveness';
import { maintenanceLoop } from './maintenance';
import { webhooksLoop } from './webhooks';

export const LOOPS: readonly LoopEntry[] = [
  () => createLivenessLoop(),
  maintenanceLoop,
  createDispatchLoop,
  importsLoop,
  importsHousekeeping,
  launchesLoop,
  () => inboxLoop(),
  () => webhooksLoop(),
];
