export { FINAL_BLOCK, GZIP_HEADER, gzipLength, gzipTrailer } from "./gzip-frame.ts";
export { layoutObjectKey, sessionPrefix, wholeObjectKey } from "./keys.ts";
export type { BlockEntry, PageBody, SegmentRef } from "./page.ts";
export type { RangeSource } from "./range-source.ts";
