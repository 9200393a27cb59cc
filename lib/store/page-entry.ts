import { isSurrogateKeyList } from './surrogate-keys.js';

/** The epoch tokens a render observed before it ran: `[path epoch, global epoch]`. */
export type RenderEpochs = readonly [path: string, global: string];

/** One response header as stored: a lower-case name and its value(s). */
export type StoredHeader = readonly [name: string, value: string | readonly string[]];

/**
 * One cached page as the store keeps it: everything but the body, which is stored once under
 * its digest (`body:<digest>`), so a hit on a shared store reads a few hundred bytes and a body
 * this process already holds never travels again. Field names are short because the entry is
 * serialised on every store.
 */
export interface PageEntry {
  /** Format version; entries of another format are ignored. */
  readonly v: typeof PAGE_ENTRY_FORMAT;
  /** Status code. */
  readonly s: number;
  /** Headers the route set, replayed on every hit (lower-case names). */
  readonly h: readonly StoredHeader[];
  /**
   * Headers already on the response when the route ran (middleware such as helmet or CORS,
   * `@Header()`), with their values: a fast hit, which skips the middleware, sends them too.
   */
  readonly m?: readonly StoredHeader[];
  /**
   * Whose hits may be answered before the framework (`fastPath`): `1` everyone's, `2` those of
   * requests without cookies (session middleware ran for the render). `true`, written by earlier
   * versions, before middleware was looked at, is read as neither.
   */
  readonly f?: true | typeof FAST_FOR_ALL | typeof FAST_WITHOUT_COOKIES;
  /** Digest of the body (its storage address), base64url. */
  readonly d: string;
  /** Body length in bytes. */
  readonly n: number;
  /** Entity tag of the body. */
  readonly t: string;
  /** Epochs the render began under; the entry is served only while both are still current. */
  readonly e: RenderEpochs;
  /** When it was stored (ms since the epoch); a hit on an old entry renews its storage lease. */
  readonly a: number;
  /** Lifetime asked for by the route, ms (`0` = as long as it is requested). */
  readonly l: number;
  /**
   * What this variant was rendered for: each request input the page varies on (a header name,
   * `cookie`, or `cookie:<name>`) with its normalised value. Set for the variants of a page that
   * varies (by `Vary` or by what its render was seen to read).
   */
  readonly y?: readonly VariedInput[];
  /** The route pattern that rendered the page (`/posts/:slug`), for `stats()` of fast hits. */
  readonly r?: string;
  /**
   * Dependency keys (`dependencies: 'auto'`): the epoch keys of what the render read, sorted; the
   * entry is served only while each still holds the epoch at the same index of `x`.
   */
  readonly k?: readonly string[];
  /** The epochs of `k`, read once the render had finished and its guard held. */
  readonly x?: readonly string[];
  /**
   * Personal fragments (`pageFragment()`): where each visitor's values go in the body, by byte
   * offset, in order. The body is stored without the markers; every response fills them.
   */
  readonly p?: readonly FragmentSlot[];
  /**
   * Surrogate keys (`edge`), space-separated: present when an edge may keep the page (it has no
   * personal parts); hits send them in each edge's header, with the edge's lifetime.
   */
  readonly g?: string;
  /** `1`: its route warms its pages after an invalidation (`warmUp`), so a fast hit records it. */
  readonly w?: 1;
}

/** One personal fragment's place in a stored body: the byte offset where its value goes, and its name. */
export type FragmentSlot = readonly [offset: number, name: string];

/** One request input a page varies on, and the normalised value a variant was rendered for. */
export type VariedInput = readonly [input: string, value: string];

/**
 * Stored at a page's own key when the page varies: which inputs its variants are keyed by. Each
 * variant is an entry of its own, under `variantKey(entry key, values)`.
 */
export interface VaryManifest {
  readonly v: typeof PAGE_ENTRY_FORMAT;
  /** The inputs, in the order their values are joined for the variant key. */
  readonly vary: readonly string[];
}

export const PAGE_ENTRY_FORMAT = 2;

/** A rendered page on its way into the store: what the HTTP side captured. */
export interface PageDraft {
  readonly status: number;
  readonly headers: readonly StoredHeader[];
  readonly etag: string;
  /** ms, `0` = forever. */
  readonly ttl: number;
  /** The inputs and values this render varied on; empty when it does not vary. */
  readonly varied: readonly VariedInput[];
  /** When the page's hits may be answered before the framework: for whom, and the headers middleware set. */
  readonly fast?: FastPage;
  /** The route pattern that rendered it, for `stats()`. */
  readonly route?: string;
  /** Where the personal fragments go in the body, when it has some. */
  readonly fragments?: readonly FragmentSlot[];
}

/** A page whose hits may be answered before the framework (`fastPath`). */
export interface FastPage {
  /** The headers middleware had set when the page was rendered: a fast hit sends them too. */
  readonly headers: readonly StoredHeader[];
  /** `cookieless`: only requests without cookies (session middleware ran for the render). */
  readonly audience: 'all' | 'cookieless';
}

export const FAST_FOR_ALL = 1;
export const FAST_WITHOUT_COOKIES = 2;

/** Whether a hit of `entry` may be answered before the framework for a request with(out) cookies. */
export const isFastFor = (entry: PageEntry, hasCookies: boolean): boolean =>
  entry.f === FAST_FOR_ALL || (entry.f === FAST_WITHOUT_COOKIES && !hasCookies);

/** Dependency keys of a page and their epochs, as `newPageEntry` stores them. */
export interface DependencyEpochs {
  readonly keys: readonly string[];
  readonly epochs: readonly string[];
}

/** The entry of a page rendered under `epochs`, with a body of `length` bytes at `digest`. */
export function newPageEntry(
  draft: PageDraft,
  digest: string,
  length: number,
  epochs: RenderEpochs,
  dependencies?: DependencyEpochs,
  surrogateKeys?: string,
  warm = false,
): PageEntry {
  return {
    v: PAGE_ENTRY_FORMAT,
    s: draft.status,
    h: draft.headers,
    d: digest,
    n: length,
    t: draft.etag,
    e: epochs,
    a: Date.now(),
    l: draft.ttl,
    ...(draft.varied.length > 0 ? { y: draft.varied } : {}),
    ...(draft.fast
      ? { m: draft.fast.headers, f: draft.fast.audience === 'all' ? FAST_FOR_ALL : FAST_WITHOUT_COOKIES }
      : {}),
    ...(draft.route !== undefined ? { r: draft.route } : {}),
    ...(dependencies ? { k: dependencies.keys, x: dependencies.epochs } : {}),
    ...(draft.fragments?.length ? { p: draft.fragments } : {}),
    ...(surrogateKeys !== undefined && !draft.fragments?.length ? { g: surrogateKeys } : {}),
    ...(warm ? { w: 1 as const } : {}),
  };
}

/** A header name as HTTP allows it (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
/** A header value Node can send: no CR, LF or NUL. */
const HEADER_VALUE = /^[^\r\n\0]*$/;

/**
 * Whether a value read back from a store is a well-formed entry. Stores hold anything (other
 * formats, other apps' keys, a corrupted write), and what is served must never turn a working
 * request into a 500: an entry that does not validate is a miss.
 */
export function isPageEntry(value: unknown): value is PageEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<PageEntry>;
  return (
    entry.v === PAGE_ENTRY_FORMAT &&
    Number.isInteger(entry.s) &&
    entry.s! >= 200 &&
    entry.s! <= 599 &&
    typeof entry.d === 'string' &&
    entry.d.length > 0 &&
    Number.isInteger(entry.n) &&
    entry.n! >= 0 &&
    typeof entry.t === 'string' &&
    HEADER_VALUE.test(entry.t) &&
    typeof entry.a === 'number' &&
    typeof entry.l === 'number' &&
    isEpochPair(entry.e) &&
    Array.isArray(entry.h) &&
    entry.h.every(isStoredHeader) &&
    (entry.y === undefined || (Array.isArray(entry.y) && entry.y.every(isVariedInput))) &&
    (entry.m === undefined || (Array.isArray(entry.m) && entry.m.every(isStoredHeader))) &&
    (entry.r === undefined || typeof entry.r === 'string') &&
    areDependencies(entry.k, entry.x) &&
    (entry.p === undefined || areSlots(entry.p, entry.n!)) &&
    (entry.g === undefined || isSurrogateKeyList(entry.g)) &&
    (entry.w === undefined || entry.w === 1) &&
    (entry.f === undefined ||
      entry.f === true ||
      entry.f === FAST_FOR_ALL ||
      entry.f === FAST_WITHOUT_COOKIES)
  );
}

export function isVaryManifest(value: unknown): value is VaryManifest {
  const manifest = value as Partial<VaryManifest> | null;
  return (
    typeof manifest === 'object' &&
    manifest !== null &&
    manifest.v === PAGE_ENTRY_FORMAT &&
    Array.isArray(manifest.vary) &&
    manifest.vary.length > 0 &&
    manifest.vary.every((input) => typeof input === 'string' && input !== '')
  );
}

function areDependencies(keys: unknown, epochs: unknown): boolean {
  if (keys === undefined && epochs === undefined) return true;
  return (
    Array.isArray(keys) &&
    Array.isArray(epochs) &&
    keys.length === epochs.length &&
    keys.every((key) => typeof key === 'string') &&
    epochs.every((epoch) => typeof epoch === 'string')
  );
}

/** Slots in order, inside a body of `length` bytes, with names `pageFragment()` writes. */
function areSlots(slots: unknown, length: number): boolean {
  if (!Array.isArray(slots) || slots.length === 0) return false;
  let previous = 0;
  return slots.every((slot) => {
    if (!Array.isArray(slot) || slot.length !== 2) return false;
    const [offset, name] = slot as [unknown, unknown];
    const valid =
      Number.isInteger(offset) &&
      (offset as number) >= previous &&
      (offset as number) <= length &&
      typeof name === 'string' &&
      /^[A-Za-z0-9_.-]{1,64}$/.test(name);
    previous = offset as number;
    return valid;
  });
}

function isEpochPair(value: unknown): value is RenderEpochs {
  return (
    Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string'
  );
}

function isStoredHeader(value: unknown): value is StoredHeader {
  if (!Array.isArray(value) || value.length !== 2) return false;
  const [name, content] = value as [unknown, unknown];
  if (typeof name !== 'string' || !HEADER_NAME.test(name)) return false;
  if (typeof content === 'string') return HEADER_VALUE.test(content);
  return (
    Array.isArray(content) && content.every((item) => typeof item === 'string' && HEADER_VALUE.test(item))
  );
}

function isVariedInput(value: unknown): value is VariedInput {
  return (
    Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string'
  );
}
