// How a layout object is named in URLs (`/<generation>/c<push>` or `/i<push>`): the upload route and the
// object read route take these from the path, strictly, so a path names exactly one key of its session.
import { LayoutObject } from "@residue/protocol";

export const objectName = (object: LayoutObject) => `${object.kind === "chunk" ? "c" : "i"}${object.push}`;

/** The object a URL's generation and name give; null unless both are canonical numbers within bounds. */
export function parseObjectName(generation: string, name: string): LayoutObject | null {
  const g = /^[1-9]\d{0,6}$/.exec(generation);
  const n = /^([ci])(0|[1-9]\d{0,4})$/.exec(name);
  if (!g || !n) return null;
  const parsed = LayoutObject.safeParse({ generation: Number(generation), push: Number(n[2]), kind: n[1] === "c" ? "chunk" : "index" });
  return parsed.success ? parsed.data : null;
}
