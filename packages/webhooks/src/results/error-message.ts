/** The marketplace keeps at most 500 characters of a result's `errorMessage`. */
export const MAX_ERROR_MESSAGE = 500;

/**
 * Cuts a message to `max` characters (code points, so that a character is never cut in two), ending
 * a cut one with an ellipsis so that a reader sees it was cut.
 */
export function cutErrorMessage(message: string, max: number = MAX_ERROR_MESSAGE): string {
  const chars = Array.from(message.trim());
  if (chars.length <= max) return chars.join('');
  return `${chars.slice(0, max - 1).join('')}…`;
}
