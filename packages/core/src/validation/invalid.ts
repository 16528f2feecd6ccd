/**
 * The one way a failed validation becomes an error: a 400 whose message lists every issue
 * (`Invalid Mailbox: quotaMb is required; email must be a valid email`) and whose details carry them
 * one by one, for a caller to point at each field. The endpoint and the controller both answer so.
 */
import { BadRequestError } from '../errors/aps-error';
import type { ValidationIssue } from './compile';

/** `what` names what was validated: a type name, or `parameters of <operation>`. */
export function invalidError(what: string, issues: readonly ValidationIssue[]): BadRequestError {
  return new BadRequestError(
    `Invalid ${what}: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
    issues.map((i) => ({ field: i.field, message: i.message })),
  );
}
