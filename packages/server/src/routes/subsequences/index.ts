import type { App } from '../../app';
import { registerCreateSubsequence } from './create';
import { registerDeleteSubsequence } from './delete';
import { registerEnrollSubsequence } from './enroll';
import { registerGetSubsequence } from './get';
import { registerListSubsequences } from './list';
import { registerSetRouting } from './routing';
import { registerCreateSubsequenceStep } from './steps-create';
import { registerListSubsequenceSteps } from './steps-list';
import { registerUpdateSubsequence } from './update';

export function registerSubsequences(app: App): void {
  registerCreateSubsequence(app);
  registerListSubsequences(app);
  registerGetSubsequence(app);
  registerUpdateSubsequence(app);
  registerDeleteSubsequence(app);
  registerCreateSubsequenceStep(app);
  registerListSubsequenceSteps(app);
  registerEnrollSubsequence(app);
  registerSetRouting(app);
}
