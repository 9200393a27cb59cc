import * as zlib from 'node:zlib';
import type { FragmentSlot } from './fragment-template.js';
import { staticPieces } from './fragment-template.js';

/** gzip member header: deflate, no flags, no time, unknown OS (RFC 1952 §2.3). */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** A final, empty deflate block: ends the stream the pieces before it left open. */
const LAST_BLOCK = Buffer.from([0x03, 0x00]);
const EMPTY = Buffer.alloc(0);
const crc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;

/** The static pieces of a stored body, deflated once, by the slots they lie between. */
const deflated = new WeakMap<Buffer, Map<string, Buffer[]>>();

/**
 * The page gzip-encoded, with the static pieces deflated once per body (level 6) and the
 * fragments' values added as stored blocks (not compressed: a greeting or a token gains little,
 * and no compressor is started per response): each piece ends on a byte boundary with a sync
 * flush, so the pieces join into one valid deflate stream, and the trailer's checksum is
 * computed over the filled body. Node releases without `zlib.crc32` (before 20.15) compress the
 * whole body at level 1 instead.
 */
export function gzipWithFragments(
  template: Buffer,
  slots: readonly FragmentSlot[],
  values: readonly Buffer[],
  filled: Buffer,
): Buffer {
  if (!crc32) return zlib.gzipSync(filled, { level: 1 });
  const pieces = deflatedPieces(template, slots);
  const parts: Buffer[] = [HEADER];
  for (let index = 0; index < values.length; index++) {
    parts.push(pieces[index], ...storedBlocks(values[index]));
  }
  parts.push(pieces[values.length], LAST_BLOCK);
  const trailer = Buffer.allocUnsafe(8);
  trailer.writeUInt32LE(crc32(filled) >>> 0, 0);
  trailer.writeUInt32LE(filled.length % 2 ** 32, 4);
  parts.push(trailer);
  return Buffer.concat(parts);
}

function deflatedPieces(template: Buffer, slots: readonly FragmentSlot[]): Buffer[] {
  let bySlots = deflated.get(template);
  if (!bySlots) deflated.set(template, (bySlots = new Map()));
  const signature = slots.map(([offset]) => offset).join(',');
  let pieces = bySlots.get(signature);
  if (!pieces) {
    pieces = staticPieces(template, slots).map((piece) => deflatePiece(piece, 6));
    bySlots.set(signature, pieces);
  }
  return pieces;
}

const deflatePiece = (bytes: Buffer, level: number): Buffer =>
  bytes.length === 0
    ? EMPTY
    : zlib.deflateRawSync(bytes, { level, finishFlush: zlib.constants.Z_SYNC_FLUSH });

/** Longest stored deflate block (RFC 1951 §3.2.4: LEN is 16 bits). */
const STORED_MAX = 0xffff;

/**
 * `bytes` as stored (uncompressed) deflate blocks: a fragment's value costs no compression per
 * response, only five bytes of header per 64 KiB. The piece before ends on a byte boundary (a
 * sync flush), where a stored block may begin.
 */
function storedBlocks(bytes: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  for (let from = 0; from < bytes.length; from += STORED_MAX) {
    const chunk = bytes.subarray(from, from + STORED_MAX);
    const header = Buffer.allocUnsafe(5);
    header[0] = 0; // not final, stored
    header.writeUInt16LE(chunk.length, 1);
    header.writeUInt16LE(~chunk.length & 0xffff, 3);
    blocks.push(header, chunk);
  }
  return blocks;
}
