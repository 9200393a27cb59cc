/**
 * Splits `keys` into runs whose joined length (`separator` between keys) stays within `maxBytes`,
 * in order, so that each run fits one request header. A key longer than `maxBytes` gets a run of
 * its own (the edge then refuses it, and the error names it).
 */
export function keyBatches(keys: readonly string[], maxBytes: number, separator = ' '): string[][] {
  const separatorBytes = Buffer.byteLength(separator);
  const batches: string[][] = [];
  let batch: string[] = [];
  let bytes = 0;
  for (const key of keys) {
    const keyBytes = Buffer.byteLength(key);
    const added = batch.length === 0 ? keyBytes : separatorBytes + keyBytes;
    if (batch.length > 0 && bytes + added > maxBytes) {
      batches.push(batch);
      batch = [key];
      bytes = keyBytes;
    } else {
      batch.push(key);
      bytes += added;
    }
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
