// The cap on how deeply a client's JSON may nest, checked right after parsing. JSON.parse itself
// is iterative, but whatever walks its result next (the REST bridge's coercion, superjson, zod)
// recurses, so 40,000 levels in a 100 KB body would exhaust the stack there.

/** No input of this API nests anywhere near this deep (a superjson envelope adds two levels). */
export const JSON_MAX_DEPTH = 32;

export const JSON_TOO_DEEP_MESSAGE = `JSON is nested more than ${JSON_MAX_DEPTH} levels deep`;

/**
 * Whether a parsed JSON value has arrays/objects nested deeper than `max` (`[]` and `{}` are
 * depth 1, a scalar 0). Walks with an explicit stack, never recursion, and stops at the first
 * container beyond the cap, so the work is bounded by the size of the value.
 */
export function exceedsJsonDepth(value: unknown, max: number = JSON_MAX_DEPTH): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > max) return true;
    // Own enumerable values only: a parsed "__proto__" key is an own property, so it is seen.
    for (const child of Object.values(next.value)) pending.push({ value: child, depth });
  }
  return false;
}
