import type { App } from '../../app';

export function registerSteps(_app: App): void {}
