/**
 * The app's own state: which subscriptions are on hold in BSS. A real app keeps such state in its
 * database; this example keeps it in memory, which is what the example needs.
 */
export const holds = new Set<string>();
