/** The inbox's pure steps: `parseMessage` (raw → plain data), `classify` (API.md's order and shape). */
export { classify } from './classify';
export { parseMessage } from './parse';
export * from './types';
