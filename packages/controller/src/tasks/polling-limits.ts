/**
 * How long a task may keep answering 202 (or keep failing to be reached) before it fails, in
 * unscaled seconds: the controller's `maxPollingSeconds`, one number or one per type name (`*` for
 * the others). A day unless told.
 */
export type MaxPollingOption = number | Readonly<Record<string, number>>;

export const DEFAULT_MAX_POLLING_SECONDS = 24 * 60 * 60;

export function maxPollingFor(option: MaxPollingOption | undefined, typeName: string | undefined): number {
  if (option === undefined) return DEFAULT_MAX_POLLING_SECONDS;
  if (typeof option === 'number') return option;
  return (typeName !== undefined ? option[typeName] : undefined) ?? option['*'] ?? DEFAULT_MAX_POLLING_SECONDS;
}
