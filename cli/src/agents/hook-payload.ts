import { z } from "zod";

/** What Claude Code, Codex and Gemini CLI send on stdin to their hooks; other fields pass through unread. */
export const HookPayload = z.looseObject({
  session_id: z.string().min(1).max(200),
  // Codex sends null before its rollout file exists; such an event is ignored.
  transcript_path: z.string().min(1).max(4096),
  cwd: z.string().min(1).max(4096),
  hook_event_name: z.string(),
  source: z.string().optional(),
  reason: z.string().optional(),
});
export type HookPayload = z.infer<typeof HookPayload>;
