import { describe, expect, it } from "vitest";
import { escapeForTerminal } from "../src/terminal/escape.ts";

describe("escapeForTerminal", () => {
  it.each([
    ["OSC 52 clipboard write", "\x1b]52;c;ZXZpbA==\x07", "^[]52;c;ZXZpbA==^G"],
    ["OSC 0 window title", "\x1b]0;pwned\x1b\\", "^[]0;pwned^[\\"],
    ["CSI 2J clear screen", "a\x1b[2Jb", "a^[[2Jb"],
    ["OSC 8 hyperlink", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "^[]8;;https://evil.example^[\\click^[]8;;^[\\"],
    ["8-bit CSI", "x\u009b2Jy", "x<U+009B>2Jy"],
    ["a carriage return inside", "ok\rfake", "ok^Mfake"],
    ["bidi override", "a\u202etxt.exe", "a<U+202E>txt.exe"],
    ["DEL and NUL", "\x7f\x00", "^?^@"],
    ["colour", "\x1b[31mred", "^[[31mred"],
  ])("makes %s visible", (_name, input, expected) => {
    expect(escapeForTerminal(input)).toBe(expected);
  });

  it("keeps newlines, tabs, bold on/off and a leading carriage return", () => {
    const ours = "\r  progress\tline\n\x1b[1mhit\x1b[22m\n";
    expect(escapeForTerminal(ours)).toBe(ours);
    expect(escapeForTerminal("plain ünïcödé ✓ text")).toBe("plain ünïcödé ✓ text");
  });
});
