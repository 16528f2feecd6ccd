/**
 * The webhook intake: an express router that acknowledges provision notifications. Its order is the
 * point: authenticate (a failure stores nothing), check the envelope (a JSON object with a request id
 * and an attempt id, what a result is posted with; nothing else), store the attempt as a job of the controller's task engine (one durable
 * write), and only then answer 202. Everything else (an unknown request type, missing or invalid details)
 * is decided later, while processing: a notification the provisioner cannot serve is acknowledged, and
 * answered with one `Fail` result saying why.
 */
import express, { type Request, type Response, type Router } from 'express';
import {
  ApsError,
  ApsHeader,
  BadRequestError,
  ConflictError,
  MethodNotAllowedError,
  ServiceUnavailableError,
  UnauthorizedError,
  stripUnsafe,
} from '@apskit/core';
import type { Controller } from '@apskit/controller';
import { bodyErrors, errorBody, mayHoldUnsafeKeys, sendJson } from '@apskit/express';
import type { AckBatch } from './ack-batch';
import type { AckGate } from './ack-gate';
import type { Authenticate } from './authentication/authenticate';
import type { NotificationPayload } from './jobs/context';
import type { WebhookKeys } from './keys';
import { checkEnvelope } from './notification';

export interface IntakeOptions {
  readonly controller: Controller;
  readonly keys: WebhookKeys;
  readonly authenticate: Authenticate;
  /** The largest body accepted. Default `1mb`. */
  readonly bodyLimit?: string | number;
  /** Counts the deliveries being acknowledged, so that processing waits for them (see AckGate). */
  readonly gate?: AckGate;
  /**
   * Stores the acknowledgements of a moment in one write (see AckBatch). Without it, each attempt is
   * stored as its own job before its 202, one write each.
   */
  readonly batch?: AckBatch;
}

/** What a 202 says. */
export interface Acknowledgement {
  readonly acknowledged: true;
  readonly provisionRequestId: string;
  readonly provisionAttemptId: string;
  /**
   * The task that holds the acknowledgement, at `GET /apskit/tasks/{taskId}`: the attempt's own task
   * once it has one (a repeated delivery), otherwise the intake task that stored it with the others
   * acknowledged at the same moment (which then makes the attempt's task).
   */
  readonly taskId: string;
}

function refuse(res: Response, error: ApsError): void {
  const body = errorBody(error, undefined);
  if (error.status === 401) res.setHeader('WWW-Authenticate', 'Webhook');
  sendJson(res, body.code, body);
}

export function intakeRouter(options: IntakeOptions): Router {
  const { controller, keys, authenticate } = options;
  const router = express.Router();
  // The raw bytes, whatever the content type: a signature covers the body exactly as sent.
  const raw = express.raw({ type: () => true, limit: options.bodyLimit ?? '1mb' });

  // Counted from the moment the delivery arrives, before its body is read, until it is answered.
  const counted = (_req: Request, res: Response, next: () => void): void => {
    const leave = options.gate?.enter();
    if (leave) res.once('close', leave);
    next();
  };

  router.post('/', counted, raw, bodyErrors, (req: Request, res: Response) => {
    void acknowledge(req, res).catch(() => {
      if (!res.headersSent)
        refuse(res, new ServiceUnavailableError('The notification could not be stored; deliver it again later'));
    });
  });
  router.all('/', (_req, res) => refuse(res, new MethodNotAllowedError('Provision notifications are POSTed')));

  async function acknowledge(req: Request, res: Response): Promise<void> {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const refusal = authenticate(req.headers, body);
    if (refusal !== undefined) return refuse(res, new UnauthorizedError(refusal));

    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (e) {
      return refuse(res, new BadRequestError(`Malformed JSON body: ${e instanceof Error ? e.message : String(e)}`));
    }
    // Keys that could reach a prototype never get as far as app code.
    if (mayHoldUnsafeKeys(body)) parsed = stripUnsafe(parsed);
    const envelope = checkEnvelope(parsed);
    if (!envelope.ok)
      return refuse(
        res,
        new BadRequestError(
          envelope.message,
          envelope.issues.map((i) => ({ ...i })),
        ),
      );

    const notification = envelope.notification;
    const requestId = notification.provisionRequest.id;
    const attemptId = notification.provisionAttempt.id;
    const subject = keys.subject(requestId);
    const conflict = (): void =>
      refuse(
        res,
        new ConflictError(`Attempt ${attemptId} was already received for another provision request`, {
          provisionAttemptId: attemptId,
        }),
      );
    // The acknowledgement: durable once this resolves. A repeated delivery of the same attempt is
    // acknowledged again and changes nothing.
    let taskId: string;
    const known = await controller.findTaskByRequestId(keys.attempt(attemptId));
    const inFlight = known ? undefined : options.batch?.pending(attemptId);
    if (known) {
      if (known.resourceId !== subject) return conflict();
      taskId = known.id;
    } else if (inFlight) {
      if (inFlight.provisionRequestId !== requestId) return conflict();
      taskId = await inFlight.taskId;
    } else if (options.batch) {
      taskId = await options.batch.add(notification);
    } else {
      const payload: NotificationPayload = { notification, receivedAt: new Date().toISOString() };
      const { task } = await controller.enqueueJob(keys.attemptKind, {
        subjectId: subject,
        payload,
        requestId: keys.attempt(attemptId),
      });
      if (task.resourceId !== subject) return conflict();
      taskId = task.id;
    }
    res.setHeader(ApsHeader.taskId, taskId);
    const ack: Acknowledgement = {
      acknowledged: true,
      provisionRequestId: requestId,
      provisionAttemptId: attemptId,
      taskId,
    };
    sendJson(res, 202, ack);
  }

  return router;
}
