import type { Deps } from '@outreach/shared';
import type { ApiKeyCache } from './lib/key-cache';

/** What every handler finds on its context. */
export interface AppEnv {
  Variables: {
    deps: Deps;
    /** API keys by hash, cached for a few seconds (lib/key-cache.ts). */
    apiKeys: ApiKeyCache;
    requestId: string;
    /** the workspace of the API key (set by the auth middleware). */
    workspaceId: number;
    apiKeyId: string;
    /** set by `answersSecret()` on routes whose answer shows a secret once (not kept for replay). */
    secretFields?: readonly string[];
  };
}
