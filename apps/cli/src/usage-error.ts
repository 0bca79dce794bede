/** A problem with what the user asked (an option, a file, the wrong database): exit code 2
 * with the message alone, no stack. */
export class UsageError extends Error {}

export const EXIT = { ok: 0, broken: 1, error: 2 } as const;
