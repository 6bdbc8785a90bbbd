import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'es2022',
  // `require('@outreach/sdk')` is the constructor itself (with every named export on it, and
  // `.Outreach` / `.default`), as users of openai-node expect; `import` is unchanged.
  footer: ({ format }) =>
    format === 'cjs'
      ? {
          js: `const __outreach = module.exports;
module.exports = Object.assign(__outreach.Outreach, __outreach, { default: __outreach.Outreach });
Object.defineProperty(module.exports, '__esModule', { value: true });`,
        }
      : {},
});
