/** A problem the user can fix; printed without a stack trace, exit code 1. */
export class UserError extends Error {}
