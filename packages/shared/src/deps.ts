import type { Clock, Rng } from './clock';
import type { Config } from './config';
import type { SecretBox } from './crypto';
import type { Db } from './db/client';
import type { Logger } from './log';

/** What server and worker code needs from the outside world; tests substitute any part. */
export interface Deps {
  db: Db;
  config: Config;
  clock: Clock;
  rng: Rng;
  secrets: SecretBox;
  log: Logger;
}
