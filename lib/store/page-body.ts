import { LRUCache } from 'lru-cache';
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';

/**
 * A page body held in this process: the bytes as the route produced them, addressed by their
 * digest. The same body is shared by every entry (query variant, host, `Vary` variant) that
 * produced it, and it never changes, so any copy of it is current.
 */
export interface PageBody {
  /** SHA-256 of the bytes, base64url: the body's address in every store. */
  readonly digest: string;
  readonly bytes: Buffer;
  /** The body compressed once per encoding a client asked for (kept with it, counted in its size). */
  encoded?: Partial<Record<BodyEncoding, Buffer>>;
}

/** The encodings the cache serves bodies in, besides identity. */
export type BodyEncoding = 'br' | 'gzip';

/** Bodies smaller than this are always sent as they are: compressing them gains nothing. */
export const MIN_COMPRESSED_BYTES = 1024;

const COMPRESSORS: Record<BodyEncoding, (bytes: Buffer) => Promise<Buffer>> = {
  br: (bytes) =>
    brotli(bytes, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: 6,
        [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  gzip: (bytes) => gzipAsync(bytes, { level: 6 }),
};

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

export const digestOf = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64url');

/** Fixed cost of one body beyond its bytes (cache slot, object, Buffer header), for accounting. */
const BODY_OVERHEAD_BYTES = 160;

/**
 * The bodies this process holds, in an `lru-cache` bounded by their total size in bytes. For the
 * memory store it is where bodies live; in front of a shared store it saves the body's round trip
 * on every hit, while the entry and its epochs are still read from the shared store each time, so
 * a change made by any instance is never missed.
 */
export class BodyTier {
  private readonly bodies: LRUCache<string, PageBody>;
  private readonly compressing = new Map<string, Promise<Buffer>>();

  constructor(private readonly maxBytes: number) {
    this.bodies = new LRUCache({ maxSize: maxBytes, sizeCalculation: costOf });
  }

  /** Bytes held, overhead included. */
  get bytes(): number {
    return this.bodies.calculatedSize;
  }

  get(digest: string): PageBody | undefined {
    return this.bodies.get(digest);
  }

  /**
   * The body in `encoding`, compressed the first time a client asks for it and kept from then on
   * (while the body is held), so a compressed hit costs no compression.
   */
  encoded(body: PageBody, encoding: BodyEncoding): Buffer | Promise<Buffer> {
    const done = body.encoded?.[encoding];
    if (done) return done;
    const key = `${encoding}:${body.digest}`;
    let running = this.compressing.get(key);
    if (!running) {
      running = COMPRESSORS[encoding](body.bytes).then((output) => {
        const compressed = ownBytes(output);
        this.compressing.delete(key);
        body.encoded = { ...body.encoded, [encoding]: compressed };
        // Set again, so its size is counted anew (and the least recently used evicted beyond the bound).
        if (this.bodies.peek(body.digest) === body) this.bodies.set(body.digest, body);
        return compressed;
      });
      this.compressing.set(key, running);
    }
    return running;
  }

  /** Keeps a body, evicting the least recently used ones beyond the bound. */
  set(body: PageBody): void {
    if (costOf(body) > this.maxBytes) return;
    // The same bytes held already: keep that copy, with the encodings already made of it.
    if (this.bodies.get(body.digest) !== undefined) return;
    this.bodies.set(body.digest, body);
  }
}

/**
 * `bytes` in a buffer of its own size. zlib hands out views of its 16 KiB output chunks, so a
 * 500-byte body kept as it came would keep 16 KiB alive for as long as the page is cached.
 */
function ownBytes(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) return bytes;
  const own = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(own);
  return own;
}

const costOf = (body: PageBody): number =>
  body.bytes.length +
  BODY_OVERHEAD_BYTES +
  (body.encoded?.br?.length ?? 0) +
  (body.encoded?.gzip?.length ?? 0);

/**
 * A body as a shared store keeps it: `u` + the text when the bytes are valid UTF-8 (most pages),
 * else `b` + base64, so any byte sequence survives a store that holds strings.
 */
export function encodeStoredBody(bytes: Buffer): string {
  return isUtf8(bytes) ? `u${bytes.toString('utf8')}` : `b${bytes.toString('base64')}`;
}

/** The body read back from a shared store, or `undefined` if it is not the body of `digest`. */
export function decodeStoredBody(value: unknown, digest: string): PageBody | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  const kind = value[0];
  if (kind !== 'u' && kind !== 'b') return undefined;
  const bytes = Buffer.from(value.slice(1), kind === 'u' ? 'utf8' : 'base64');
  return digestOf(bytes) === digest ? { digest, bytes } : undefined;
}
