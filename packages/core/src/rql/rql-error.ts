import { BadRequestError } from '../errors/aps-error';

/**
 * A query that is not RQL, or asks what RQL cannot: a 400 whose details name the field `rql`, the
 * position (an offset from 0 into the query text as received) and the reason.
 */
export class RqlSyntaxError extends BadRequestError {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(`Malformed RQL at position ${position}: ${reason}`, [{ field: 'rql', position, message: reason }]);
  }
}
