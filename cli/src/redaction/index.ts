// Secrets never leave the machine: the one entry point of redaction for everything that is uploaded.
export { RedactionConfig, redactionOptions } from "./config.ts";
export { createRedactor, type LineResult, type RedactionOptions, type RedactionStream, type Redactor } from "./engine.ts";
export { redactionTransform } from "./transform.ts";
