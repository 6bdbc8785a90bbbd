#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step for the server).
import { register as registerHook } from 'node:module';
import { register } from 'tsx/esm/api';

registerHook('./source-condition.mjs', import.meta.url);
register();
await import('../src/cli.ts');
