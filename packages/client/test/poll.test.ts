/**
 * The generic poller on its own, with plain functions for a third-party API: the schedule, the
 * error recorded against the request id, transient errors, the deadline and the abort.
 */
import {
  ApsClientError,
  isTransientError,
  OperationFailedError,
  OperationTimeoutError,
  pollUntil,
  retrying,
  type PollContext,
  type Progress,
} from '@apskit/client';

interface Tenant {
  readonly tenantId?: string;
  readonly status: string;
}

/** A status function that answers `answers` in turn (the last one again once they run out). */
function answering<S>(...answers: Array<S | Error>): {
  fn: (t: unknown, ctx: PollContext) => Promise<S>;
  calls: number;
} {
  const state = {
    calls: 0,
    fn: async (): Promise<S> => {
      const a = answers[Math.min(state.calls++, answers.length - 1)] as S | Error;
      if (a instanceof Error) throw a;
      return a;
    },
  };
  return state;
}

const fast = { initialDelay: 5, interval: 5, backoff: 1, deadline: 5000 };

it('polls until the expected data appears, on the schedule, reporting progress', async () => {
  const status = answering<Tenant>(
    { status: 'Provisioning' },
    { status: 'Provisioning' },
    { status: 'Provisioning' },
    { tenantId: 't-1', status: 'Trial' },
  );
  const progress: Array<Progress<Tenant>> = [];
  const result = await pollUntil({
    requestId: 'trial-1',
    submit: async ({ requestId }) => ({ accepted: requestId }),
    status: status.fn,
    isReady: (t) => t.tenantId !== undefined,
    messageOf: (t) => t.status,
    initialDelay: 1,
    interval: 10,
    backoff: 2,
    maxInterval: 30,
    deadline: 5000,
    onProgress: (p) => progress.push(p),
  });
  expect(result).toMatchObject({
    requestId: 'trial-1',
    submitted: { accepted: 'trial-1' },
    status: { tenantId: 't-1' },
    polls: 4,
  });
  // After the initial delay: the interval, then doubling, capped at maxInterval; none after the last read.
  expect(progress.map((p) => p.nextPollInMs)).toEqual([10, 20, 30, undefined]);
  expect(progress.map((p) => [p.poll, p.message])).toEqual([
    [1, 'Provisioning'],
    [2, 'Provisioning'],
    [3, 'Provisioning'],
    [4, 'Trial'],
  ]);
});

it('fails with the error recorded against the request id, checked between reads', async () => {
  const errorsAsked: string[] = [];
  const error = await pollUntil({
    ...fast,
    requestId: 'trial-edr',
    submit: async () => 'accepted',
    status: async () => ({ status: 'Provisioning' }),
    isReady: () => false,
    errorFor: async (requestId) => {
      errorsAsked.push(requestId);
      return errorsAsked.length < 2 ? undefined : 'Automated trial provisioning is unavailable for EDR';
    },
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OperationFailedError);
  expect(error).toMatchObject({
    requestId: 'trial-edr',
    output: 'Automated trial provisioning is unavailable for EDR',
    message: 'Request trial-edr failed: Automated trial provisioning is unavailable for EDR',
    last: { status: 'Provisioning' },
  });
  expect(errorsAsked).toEqual(['trial-edr', 'trial-edr']);
});

it('fails when the status itself says so, with its message', async () => {
  await expect(
    pollUntil({
      ...fast,
      submit: async () => 1,
      status: async () => ({ state: 'error', reason: 'quota exceeded' }),
      isReady: (s) => s.state === 'done',
      isFailed: (s) => s.state === 'error',
      messageOf: (s) => s.reason,
    }),
  ).rejects.toMatchObject({ name: 'OperationFailedError', output: 'quota exceeded' });
});

it('does not wait when the submit answer already is the outcome', async () => {
  const status = answering({ ready: false });
  const result = await pollUntil({
    ...fast,
    initialDelay: 60_000,
    submit: async () => ({ accountId: 'a-1' }),
    statusFromSubmit: (s) => ({ ready: s.accountId !== undefined }),
    status: status.fn,
    isReady: (s) => s.ready,
  });
  expect(result).toMatchObject({ polls: 0, status: { ready: true } });
  expect(status.calls).toBe(0);
});

describe('transient errors', () => {
  it('retries transient status errors (5xx, connection refused) and keeps the request id', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const status = answering<Tenant>(
      Object.assign(new Error('Service Unavailable'), { status: 503 }),
      refused,
      new TypeError('fetch failed', { cause: refused }),
      { tenantId: 't-2', status: 'Active' },
    );
    const seenIds: string[] = [];
    const retried: unknown[] = [];
    const result = await pollUntil({
      ...fast,
      requestId: 'sub-7',
      submit: async () => 'ok',
      status: (s, ctx) => {
        seenIds.push(ctx.requestId);
        return status.fn(s, ctx);
      },
      isReady: (t) => t.tenantId !== undefined,
      onRetry: (r) => retried.push(r.error),
    });
    expect(result.status.tenantId).toBe('t-2');
    expect(retried).toHaveLength(3);
    expect(new Set(seenIds)).toEqual(new Set(['sub-7']));
  });

  it('retries a transient submit with the same request id, then polls', async () => {
    const ids: string[] = [];
    const result = await pollUntil({
      ...fast,
      submit: async ({ requestId, attempt }) => {
        ids.push(requestId);
        if (attempt < 3) throw Object.assign(new Error('Bad Gateway'), { statusCode: 502 });
        return attempt;
      },
      status: async () => 'ready',
      isReady: (s) => s === 'ready',
    });
    expect(result.submitted).toBe(3);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toBe(result.requestId);
  });

  it('gives up at once on an error that is not transient, naming the request id', async () => {
    const refused = new ApsClientError('HTTP 400 from GET /status: bad tenant', 400, { code: 400 });
    const error = await pollUntil({
      ...fast,
      requestId: 'bad-1',
      submit: async () => 'ok',
      status: async () => {
        throw refused;
      },
      isReady: () => true,
    }).catch((e: unknown) => e);
    expect(error).toBe(refused);
    expect(refused.requestId).toBe('bad-1');
  });

  it('classifies errors', () => {
    const transient = [
      new ApsClientError('x', 503, undefined),
      new ApsClientError('x', 0, undefined),
      new ApsClientError('x', 429, undefined),
      Object.assign(new Error('x'), { code: 'ECONNRESET' }),
      Object.assign(new Error('x'), { status: 500 }),
      new TypeError('fetch failed'),
      new DOMException('slow', 'TimeoutError'),
      new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ETIMEDOUT' }) }),
    ];
    const final = [
      new ApsClientError('x', 404, undefined),
      new ApsClientError('x', 409, undefined),
      Object.assign(new Error('x'), { status: 400 }),
      new DOMException('stop', 'AbortError'),
      new Error('plain'),
      new OperationFailedError('x', 'r', 'x'),
      'a string',
      undefined,
    ];
    expect(transient.map(isTransientError)).toEqual(transient.map(() => true));
    expect(final.map(isTransientError)).toEqual(final.map(() => false));
  });
});

describe('deadline and abort', () => {
  it('gives up at the deadline even when the status call never answers', async () => {
    let signalSeen: AbortSignal | undefined;
    const started = Date.now();
    const error = await pollUntil({
      initialDelay: 10,
      interval: 10,
      deadline: 200,
      requestId: 'hung-1',
      submit: async () => 'ok',
      status: (_s, ctx) => {
        signalSeen = ctx.signal;
        return new Promise<never>(() => undefined); // ignores its signal, never settles
      },
      isReady: () => true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect(error).toMatchObject({ requestId: 'hung-1', polls: 1 });
    expect((error as OperationTimeoutError).deadline.getTime()).toBeGreaterThanOrEqual(started + 200);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(signalSeen?.aborted).toBe(true); // so that a fetch given the signal is cut off too
  });

  it('accepts a Date as the deadline, and one already past ends before any read', async () => {
    const status = answering('never');
    const error = await pollUntil({
      initialDelay: 0,
      interval: 10,
      deadline: new Date(Date.now() - 1),
      submit: async () => 'ok',
      status: status.fn,
      isReady: () => false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect(status.calls).toBe(0);
  });

  it("rejects with the signal's reason when aborted mid-wait or mid-call", async () => {
    for (const phase of ['wait', 'call'] as const) {
      const controller = new AbortController();
      const reason = new Error(`stop during ${phase}`);
      const pending = pollUntil({
        initialDelay: phase === 'wait' ? 10_000 : 0,
        interval: 10_000,
        deadline: 20_000,
        submit: async () => 'ok',
        status: () => new Promise<never>(() => undefined),
        isReady: () => true,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(reason), 30);
      const started = Date.now();
      await expect(pending).rejects.toBe(reason);
      expect(Date.now() - started).toBeLessThan(1000);
    }
  });

  it('refuses a schedule that would spin', () => {
    const base = { submit: async () => 1, status: async () => 1, isReady: () => true };
    return Promise.all([
      expect(pollUntil({ ...base, interval: 0 })).rejects.toThrow(RangeError),
      expect(pollUntil({ ...base, backoff: 0.5 })).rejects.toThrow('backoff'),
    ]);
  });

  it('retrying() retries one call on the same schedule', async () => {
    let n = 0;
    const value = await retrying({ interval: 5, deadline: 2000, requestId: 'one' }, async (ctx) => {
      n++;
      if (n < 3) throw Object.assign(new Error('busy'), { status: 503 });
      return `${ctx.requestId}:${ctx.attempt}`;
    });
    expect(value).toBe('one:3');
  });
});
