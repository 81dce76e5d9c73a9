// Where each member lies: in the stored object, in the raw transcript, and which lines it holds.

export interface Member {
  /** Byte offset of the member in the stored object (compressed). */
  comp: number;
  compLength: number;
  /** Byte offset of its first raw byte in the transcript. */
  raw: number;
  rawLength: number;
  /** 1-based number of its first line; it holds `lines` whole lines. */
  firstLine: number;
  lines: number;
}
