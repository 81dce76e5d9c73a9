// The engine as a Node stream stage, the shape takeSnapshot's `transforms` take.
import { Transform } from "node:stream";
import type { Redactor } from "./engine.ts";

/** A Transform that redacts the bytes passing through; `onEnd` gets the count of values redacted per rule. */
export function redactionTransform(redactor: Redactor, onEnd?: (counts: Map<string, number>) => void): Transform {
  const s = redactor.stream();
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, s.write(chunk));
    },
    flush(done) {
      const rest = s.end();
      onEnd?.(s.counts);
      done(null, rest);
    },
  });
}
