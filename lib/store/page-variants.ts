import type { PageEntry } from './page-entry.js';
import { variantKey } from './page-key.js';

/** What the request side reads from its request for the inputs a page may vary on. */
export interface RequestInputs {
  /** The normalised value of one input (a header name, `cookie`, or `cookie:<name>`). */
  valueOf(input: string): string;
}

/** Variants of one page this process stores; further ones are served but not stored. */
export const MAX_VARIANTS_PER_PAGE = 32;
/** Pages whose `Vary` inputs (and stored variants) this process remembers. */
const MAX_REMEMBERED_PAGES = 10_000;

/**
 * This process's knowledge of pages that vary: on which inputs (learnt from their manifests, so a
 * lookup goes straight to the request's variant), and which variants it stored (at most
 * `MAX_VARIANTS_PER_PAGE` per page). Forgetting only costs a second read or a skipped store.
 */
export class PageVariants {
  private readonly inputsOf = new Map<string, readonly string[]>();
  private readonly storedOf = new Map<string, Set<string>>();

  /** The inputs the page at `entryKey` is known to vary on, if it does. */
  knownInputs(entryKey: string): readonly string[] | undefined {
    return this.inputsOf.get(entryKey);
  }

  /** The key of the variant of `entryKey` for a request, given the inputs the page varies on. */
  keyFor(entryKey: string, varyInputs: readonly string[], request: RequestInputs): string {
    return variantKey(entryKey, varyInputs.map((input) => request.valueOf(input)).join('\n'));
  }

  /** Records what a page's manifest says it varies on (nothing: it no longer varies). */
  remember(entryKey: string, varyInputs: readonly string[]): void {
    if (varyInputs.length === 0) {
      this.inputsOf.delete(entryKey);
      return;
    }
    if (this.inputsOf.size >= MAX_REMEMBERED_PAGES) this.inputsOf.clear();
    this.inputsOf.set(entryKey, varyInputs);
  }

  /** Whether one more variant of a page may be stored by this process. */
  admit(entryKey: string, storageKey: string): boolean {
    let stored = this.storedOf.get(entryKey);
    if (!stored) {
      if (this.storedOf.size >= MAX_REMEMBERED_PAGES) this.storedOf.clear();
      this.storedOf.set(entryKey, (stored = new Set()));
    }
    if (stored.has(storageKey)) return true;
    if (stored.size >= MAX_VARIANTS_PER_PAGE) return false;
    stored.add(storageKey);
    return true;
  }
}

/** A variant is served only to requests whose inputs normalise to what it was rendered for. */
export function variesAsRequested(entry: PageEntry, inputs: RequestInputs): boolean {
  return entry.y === undefined || entry.y.every(([input, value]) => inputs.valueOf(input) === value);
}
