// Keyset pagination: a page is fetched with `take: limit + 1`, so the extra row tells whether
// another page follows without a count query; the cursor is taken from the page's last row.

export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

/** How many rows to fetch for a page of `limit` (one more, to see whether another follows). */
export function pageTake(limit: number): number {
  return limit + 1;
}

/** The page of `limit` rows out of rows fetched with pageTake(limit). */
export function page<Item>(
  fetched: readonly Item[],
  limit: number,
  cursorOf: (last: Item) => string,
): Page<Item> {
  const items = fetched.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: fetched.length > limit && last !== undefined ? cursorOf(last) : null,
  };
}
