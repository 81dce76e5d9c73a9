// How the reader gets stored bytes, wherever they are: R2 in the Worker, HTTP ranges in the CLI, files in tests.

export interface RangeSource {
  /** `length` bytes of object `key` from `offset`; rejects when the object or the range is not there. */
  read(key: string, offset: number, length: number): Promise<Uint8Array>;
}
