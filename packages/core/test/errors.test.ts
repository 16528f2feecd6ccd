/**
 * The errors app code throws: Accepted (202, "not done yet") and the ApsError family, whose JSON is
 * the APS error body.
 */
import {
  Accepted,
  ApsError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  InternalError,
  isAccepted,
  isApsError,
  MethodNotAllowedError,
  NotFoundError,
  NotImplementedError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnprocessableEntityError,
} from '@apskit/core';

describe('Accepted', () => {
  it('carries status 202, the message, the seconds to wait and the resource', () => {
    const resource = { aps: { id: 'r1' }, name: 'site' };
    const accepted = new Accepted(resource, 'Provisioning the site', 30);
    expect(accepted.status).toBe(202);
    expect(accepted.message).toBe('Provisioning the site');
    expect(accepted.retryAfterSeconds).toBe(30);
    expect(accepted.resource).toBe(resource);
    expect(accepted.name).toBe('Accepted');
    expect(accepted).toBeInstanceOf(Error);
  });

  it('waits 30 seconds when no delay is given, and takes 0', () => {
    expect(new Accepted({}, 'later').retryAfterSeconds).toBe(30);
    expect(new Accepted({}, 'now', 0).retryAfterSeconds).toBe(0);
  });

  it.each([-1, -0.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p seconds with a RangeError', (seconds) => {
    expect(() => new Accepted({}, 'msg', seconds)).toThrow(RangeError);
    expect(() => new Accepted({}, 'msg', seconds)).toThrow(/retryAfterSeconds must be a non-negative number/);
  });

  it('is recognised by isAccepted, also from another copy of the library', () => {
    expect(isAccepted(new Accepted({}, 'msg', 5))).toBe(true);
    const foreign = Object.assign(new Error('msg'), { name: 'Accepted', retryAfterSeconds: 5, status: 202 });
    expect(isAccepted(foreign)).toBe(true);
    expect(isAccepted(new Error('msg'))).toBe(false);
    expect(isAccepted(Object.assign(new Error('msg'), { name: 'Accepted' }))).toBe(false);
    expect(isAccepted({ name: 'Accepted', retryAfterSeconds: 5 })).toBe(false);
    expect(isAccepted(undefined)).toBe(false);
    expect(isAccepted(new NotFoundError())).toBe(false);
  });

  it('is not an ApsError', () => {
    expect(isApsError(new Accepted({}, 'msg'))).toBe(false);
  });
});

describe('the ApsError family', () => {
  it.each([
    [new BadRequestError('bad input'), 400, 'BadRequest', 'bad input'],
    [new UnauthorizedError(), 401, 'Unauthorized', 'Authentication required'],
    [new ForbiddenError(), 403, 'Forbidden', 'Forbidden'],
    [new NotFoundError(), 404, 'NotFound', 'Not found'],
    [new MethodNotAllowedError(), 405, 'MethodNotAllowed', 'Method not allowed'],
    [new ConflictError('busy'), 409, 'Conflict', 'busy'],
    [new PayloadTooLargeError(), 413, 'PayloadTooLarge', 'Request body too large'],
    [new UnprocessableEntityError('cannot'), 422, 'UnprocessableEntity', 'cannot'],
    [new InternalError(), 500, 'Exception', 'Internal error'],
    [new NotImplementedError('later'), 501, 'NotImplemented', 'later'],
    [new ServiceUnavailableError(), 503, 'ServiceUnavailable', 'Service unavailable'],
  ])('%p has status %i and error %s', (error, status, name, message) => {
    expect(error).toBeInstanceOf(ApsError);
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(status);
    expect(error.error).toBe(name);
    expect(error.name).toBe(name);
    expect(error.message).toBe(message);
    expect(JSON.stringify(error.toJSON())).toBe(JSON.stringify({ code: status, error: name, message }));
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: status, error: name, message });
    expect(isApsError(error)).toBe(true);
  });

  it('takes a message and details in every subclass, details last in the body', () => {
    const details = { fields: [{ field: 'name', message: 'is required' }] };
    const errors: ApsError[] = [
      new BadRequestError('m', details),
      new UnauthorizedError('m', details),
      new ForbiddenError('m', details),
      new NotFoundError('m', details),
      new MethodNotAllowedError('m', details),
      new ConflictError('m', details),
      new PayloadTooLargeError('m', details),
      new UnprocessableEntityError('m', details),
      new InternalError('m', details),
      new NotImplementedError('m', details),
      new ServiceUnavailableError('m', details),
    ];
    for (const error of errors) {
      expect(Object.keys(error.toJSON())).toEqual(['code', 'error', 'message', 'details']);
      expect(error.toJSON()).toEqual({ code: error.status, error: error.error, message: 'm', details });
    }
  });

  it('keeps falsy details, and leaves out undefined ones', () => {
    expect(new ConflictError('m', null).toJSON()).toEqual({
      code: 409,
      error: 'Conflict',
      message: 'm',
      details: null,
    });
    expect(new ConflictError('m', 0).toJSON()).toHaveProperty('details', 0);
    expect(new ConflictError('m').toJSON()).not.toHaveProperty('details');
  });

  it('lets app code make its own error with any status', () => {
    const error = new ApsError(418, 'Teapot', 'short and stout', ['a']);
    expect(error.toJSON()).toEqual({ code: 418, error: 'Teapot', message: 'short and stout', details: ['a'] });
    expect(isApsError(error)).toBe(true);
  });

  // Issue 22, F8: the family takes (message, details?); an error name of one's own is ApsError's.
  it('takes the message first: an error name put first is a compile error, ApsError takes a name of your own', () => {
    // @ts-expect-error: a string is not details (a name first, then the message, is the mistake this catches)
    const mistaken = new ConflictError('StateUnchanged', 'web-1 is already running');
    expect(mistaken.toJSON()).toMatchObject({ error: 'Conflict', message: 'StateUnchanged' });
    const named = new ApsError(409, 'StateUnchanged', 'web-1 is already running', { state: 'running' });
    expect(named.toJSON()).toEqual({
      code: 409,
      error: 'StateUnchanged',
      message: 'web-1 is already running',
      details: { state: 'running' },
    });
    expect(new ConflictError('web-1 is already running', { state: 'running' }).toJSON()).toMatchObject({
      error: 'Conflict',
      details: { state: 'running' },
    });
  });

  it('isApsError recognises an ApsError from another copy of the library, and nothing else', () => {
    const foreign = Object.assign(new Error('gone'), { status: 404, error: 'NotFound', toJSON: () => ({}) });
    expect(isApsError(foreign)).toBe(true);
    expect(isApsError(new Error('plain'))).toBe(false);
    expect(isApsError(Object.assign(new Error('x'), { status: 404 }))).toBe(false);
    expect(isApsError(Object.assign(new Error('x'), { status: '404', error: 'NotFound', toJSON: () => ({}) }))).toBe(
      false,
    );
    expect(isApsError({ status: 404, error: 'NotFound', toJSON: () => ({}) })).toBe(false);
    expect(isApsError(null)).toBe(false);
    expect(isApsError('NotFound')).toBe(false);
  });
});
