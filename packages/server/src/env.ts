import type { Deps } from '@outreach/shared';

/** What every handler finds on its context. */
export interface AppEnv {
  Variables: {
    deps: Deps;
    requestId: string;
    /** the workspace of the API key (set by the auth middleware). */
    workspaceId: number;
    apiKeyId: string;
    /** set by `answersSecret()` on routes whose answer shows a secret once (not kept for replay). */
    secretFields?: readonly string[];
  };
}
