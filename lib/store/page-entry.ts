/** The epoch tokens a render observed before it ran: `[path epoch, global epoch]`. */
export type RenderEpochs = readonly [path: string, global: string];

/**
 * One cached page: the final bytes as they were sent, and the epochs its render began under.
 * Field names are short because the entry is serialised on every store.
 */
export interface PageEntry {
  /** Status code. */
  readonly s: number;
  /** Replayed response headers, lower-case names. */
  readonly h: ReadonlyArray<readonly [name: string, value: string | string[]]>;
  /** Body, UTF-8 text. */
  readonly b: string;
  /** Entity tag of the body. */
  readonly t: string;
  /** Epochs the render began under; the entry is served only while both are still current. */
  readonly e: RenderEpochs;
}

/** Whether a value read back from a store is a well-formed entry (stores hold anything). */
export function isPageEntry(value: unknown): value is PageEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<PageEntry>;
  return (
    typeof entry.s === 'number' &&
    typeof entry.b === 'string' &&
    typeof entry.t === 'string' &&
    Array.isArray(entry.h) &&
    Array.isArray(entry.e) &&
    entry.e.length === 2
  );
}
