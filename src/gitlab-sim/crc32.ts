/**
 * CRC-32 (IEEE 802.3, the polynomial of zlib and Go's `crc32.IEEE`), which
 * gitlab-runner uses for the trace checksum it reports in `PUT /jobs/:id`
 * as `crc32:%08x` (reference §4.2).
 */
const TABLE = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
}

/** The CRC-32 of `data` as an unsigned 32-bit integer. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc = TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The checksum string gitlab-runner sends: `crc32:` + 8 hex digits. */
export function traceChecksum(data: Uint8Array): string {
  return `crc32:${crc32(data).toString(16).padStart(8, '0')}`;
}
