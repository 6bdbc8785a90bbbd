// A resolve hook: workspace packages (the SDK, used by `outreach mcp`) resolve to their
// TypeScript sources through their `@outreach/source` export condition, as in tests and tsc.
export async function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, '@outreach/source'] });
}
