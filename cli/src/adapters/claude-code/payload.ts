import { z } from "zod";

/** What Claude Code sends on stdin to SessionStart/SessionEnd hooks; other fields pass through unread. */
export const HookPayload = z.looseObject({
  session_id: z.string().min(1).max(200),
  transcript_path: z.string().min(1).max(4096),
  cwd: z.string().min(1).max(4096),
  hook_event_name: z.string(),
  source: z.string().optional(),
  reason: z.string().optional(),
});
export type HookPayload = z.infer<typeof HookPayload>;
