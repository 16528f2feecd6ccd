/**
 * The APS endpoint protocol, one handler per operation. Each handler reads the request into the
 * app's class, calls the method APS names, and turns what comes back into the APS answer:
 * a value is 200, nothing is 204 (where APS allows it), Accepted is 202 with the APS headers,
 * an ApsError is its status with the APS error body.
 */
import type { Logger } from 'pino';
import {
  BadRequestError,
  InternalError,
  invalidError,
  NotFoundError,
  NotImplementedError,
  ApsHeader,
  ApsHeaderKey,
  RequestPhase,
  isAccepted,
  runWithApsContext,
  stripUnsafe,
  type ApsLogger,
  type ApsRequestContext,
  type LifecycleMethod,
  type RelationModel,
  type ValidationIssue,
} from '@apskit/core';
import { echoHeaderValue, headerValue } from '../protocol/headers';
import { errorBody, serialize, UNSERIALIZABLE_MESSAGE } from '../protocol/send';
import type { ControllerUriResolver } from '../controller-uri';
import type { ApsCall, ApsReply, CallHandler } from '../protocol/call';
import type { ResourceLoader } from '../resources/loader';
import { bindInstance } from '../trust/instance-fetch';
import {
  coerceText,
  paramIssues,
  withClassRules,
  type CompiledOperation,
  type CompiledService,
} from './compile-service';

export interface HandlerEnv {
  readonly loadResource: ResourceLoader;
  readonly logger?: Logger;
  /** Whether a 500 carries the message of the Error the app threw (as in the APS PHP runtime). */
  readonly exposeErrorMessages: boolean;
  /**
   * Which controller a request may call (see controller-uri.ts). Without it, the APS-Controller-URI
   * header of a trusted request is used and that of any other request ignored.
   */
  readonly resolveControllerUri?: ControllerUriResolver;
}

interface Outcome {
  readonly status: number;
  readonly body?: unknown;
}

type Instance = Record<string, unknown>;
type Work = (req: ApsCall, ctx: ApsRequestContext) => Promise<Outcome>;

const NO_LOGGER: ApsLogger = { debug() {}, info() {}, warn() {}, error() {} };

function header(req: ApsCall, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function contextOf(req: ApsCall, svc: CompiledService, operation: string, env: HandlerEnv): ApsRequestContext {
  const transactionId = header(req, ApsHeaderKey.transactionId);
  const id = req.params.id as string | undefined;
  let logger: ApsLogger | undefined;
  const trusted = req.trusted !== false;
  // An installed instance calls the controller recorded at its installation, whatever the header says.
  const named = req.instance ? req.instance.controllerUri : header(req, ApsHeaderKey.controllerUri);
  const ctx: ApsRequestContext = {
    controllerUri: env.resolveControllerUri ? env.resolveControllerUri(named, trusted) : trusted ? named : undefined,
    instanceId: header(req, ApsHeaderKey.instanceId),
    transactionId,
    phase:
      header(req, ApsHeaderKey.requestPhase)?.toLowerCase() === RequestPhase.async
        ? RequestPhase.async
        : RequestPhase.sync,
    identityId: header(req, ApsHeaderKey.identityId),
    actorId: header(req, ApsHeaderKey.actorId),
    applicationId: header(req, ApsHeaderKey.applicationId),
    apsVersion: header(req, ApsHeaderKey.version),
    service: svc.service,
    typeName: svc.type.name,
    operation,
    resourceId: id,
    // Made on first use: most methods never log, and a child logger is not free.
    get logger(): ApsLogger {
      if (!logger) {
        logger = env.logger
          ? env.logger.child({ service: svc.service, operation, resourceId: id, transactionId })
          : NO_LOGGER;
      }
      return logger;
    },
  };
  if (req.instance) bindInstance(ctx, req.instance);
  return ctx;
}

/** Runs `work` in the request's APS context and answers with its outcome. */
function handle(svc: CompiledService, operation: string, env: HandlerEnv, work: Work): CallHandler {
  return async (req) => {
    const ctx = contextOf(req, svc, operation, env);
    const headers: Record<string, string> = {};
    if (ctx.transactionId) headers[ApsHeader.transactionId] = echoHeaderValue(ctx.transactionId);
    let reply: ApsReply;
    try {
      const outcome = await runWithApsContext(ctx, () => work(req, ctx));
      reply = { status: outcome.status, headers, body: outcome.body };
    } catch (error) {
      try {
        reply = answerThrown(headers, error, env);
      } catch (unreadable) {
        // A thrown value that throws when read (a hostile Proxy, a throwing getter): a plain 500.
        env.logger?.error({ err: unreadable }, 'an APS method threw a value that cannot be read');
        reply = { status: 500, headers, body: new InternalError().toJSON() };
      }
    }
    return serializable(reply, env);
  };
}

function answerThrown(headers: Record<string, string>, error: unknown, env: HandlerEnv): ApsReply {
  if (isAccepted(error)) {
    // Header values are made safe here, at the source, for every transport: an app's message often
    // holds request data (`Creating ${this.name}`), control characters included.
    headers[ApsHeader.info] = headerValue(error.message);
    headers[ApsHeader.retryTimeout] = retrySeconds(error.retryAfterSeconds);
    return { status: 202, headers, body: error.resource };
  }
  const body = errorBody(error, env.logger, env.exposeErrorMessages);
  return { status: body.code, headers, body };
}

/** Whole non-negative seconds; anything else (an Accepted look-alike's NaN) is the default 30. */
function retrySeconds(value: unknown): string {
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? String(Math.round(n)) : '30';
}

/**
 * The reply, or a 500 APS error when JSON cannot express its body (a BigInt, a cycle, a toJSON that
 * throws): found here, before any byte is written, for HTTP and in-process callers alike. The JSON
 * made is kept for the express adapter, so the body is serialized once.
 */
function serializable(reply: ApsReply, env: HandlerEnv): ApsReply {
  if (reply.body === undefined || reply.status === 204) return reply;
  const text = serialize(reply.body);
  // A field, not a WeakMap entry: this runs on every answer, and a WeakMap set costs more.
  if (text !== undefined) return { status: reply.status, headers: reply.headers, body: reply.body, json: text };
  env.logger?.error({ status: reply.status }, 'the answer of an APS method cannot be serialized as JSON');
  const { [ApsHeader.transactionId]: tx } = reply.headers;
  return {
    status: 500,
    headers: tx === undefined ? {} : { [ApsHeader.transactionId]: tx },
    body: new InternalError(UNSERIALIZABLE_MESSAGE).toJSON(),
  };
}

function objectBody(req: ApsCall, what: string): Instance {
  const body: unknown = req.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestError(`Expected ${what} as a JSON object (Content-Type: application/json)`);
  }
  return body as Instance;
}

/**
 * The body without keys that could reach a prototype, for building instances. Validation sees the
 * body as sent, so that such a key where properties are declared is refused by name.
 */
function safe<T>(req: ApsCall, value: T): T {
  return req.unsafeKeys ? (stripUnsafe(value) as T) : value;
}

/**
 * The resource without the links to its collection relations. The controller shows a collection
 * as one link to its members, `{"aps": {"link": "collection", "href": …}}`, in the resources it
 * sends and serves (docs.cloudblue.com/cbc/sdk/20.5/api/rest/resources/structure), where a body may
 * also carry the members as an array: the link is no member, and the app reads the members at its
 * href when it needs them. Singular links (`{"aps": {"link", "id", "href"}}`) stay, as they are.
 */
function withoutCollectionLinks(svc: CompiledService, resource: Instance): Instance {
  let copy: Instance | undefined;
  for (const r of svc.type.relations) {
    const value = resource[r.name];
    if (!r.collection || value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    copy ??= { ...resource };
    delete copy[r.name];
  }
  return copy ?? resource;
}

/** Calls a lifecycle method when the class has it; `undefined` when it does not. */
async function call(instance: Instance, method: string, args: unknown[] = []): Promise<unknown> {
  const fn = instance[method];
  return typeof fn === 'function' ? await (fn as (...a: unknown[]) => unknown).apply(instance, args) : undefined;
}

/** The method for this phase: `provision` or `provisionAsync`, and so on. */
function phaseMethod(
  svc: CompiledService,
  base: 'provision' | 'configure' | 'unprovision',
  ctx: ApsRequestContext,
): string {
  if (ctx.phase === RequestPhase.sync) return base;
  const method = `${base}Async` as LifecycleMethod;
  if (!svc.type.lifecycle.has(method)) {
    throw new NotImplementedError(
      `${svc.type.name} has no ${method}(): it cannot answer the async phase of ${base} (it never answered 202)`,
    );
  }
  return method;
}

async function current(svc: CompiledService, env: HandlerEnv, ctx: ApsRequestContext, id: string): Promise<Instance> {
  const state = await env.loadResource({ service: svc.service, typeId: svc.type.id, id, context: ctx });
  return svc.hydrate(state ? withoutCollectionLinks(svc, state) : { aps: { id, type: svc.type.id } }) as Instance;
}

function result(value: unknown, instance: Instance): unknown {
  return value === undefined ? instance : value;
}

// ---- lifecycle ------------------------------------------------------------------------------

export function provisionHandler(svc: CompiledService, env: HandlerEnv): CallHandler {
  return handle(svc, 'provision', env, async (req, ctx) => {
    const body = withoutCollectionLinks(svc, objectBody(req, `a ${svc.type.name} resource`));
    const method = phaseMethod(svc, 'provision', ctx);
    // The async phase repeats the state the app answered with, read-only values it set included.
    const issues = svc.validators.create(body);
    const all = ctx.phase === RequestPhase.sync ? [...issues, ...svc.immutables.create(body)] : issues;
    if (all.length > 0) {
      const build = () => svc.hydrate(safe(req, body));
      throw invalidError(svc.type.name, withClassRules(all, svc.classRules, build));
    }
    const instance = svc.hydrate(safe(req, body)) as Instance;
    const ruleIssues = svc.classRules?.(instance) ?? [];
    if (ruleIssues.length > 0) throw invalidError(svc.type.name, ruleIssues);
    return { status: 200, body: result(await call(instance, method), instance) };
  });
}

export function retrieveHandler(svc: CompiledService, env: HandlerEnv): CallHandler {
  return handle(svc, 'retrieve', env, async (req, ctx) => {
    const instance = await current(svc, env, ctx, req.params.id as string);
    return { status: 200, body: result(await call(instance, 'retrieve'), instance) };
  });
}

export function configureHandler(svc: CompiledService, env: HandlerEnv): CallHandler {
  return handle(svc, 'configure', env, async (req, ctx) => {
    const body = withoutCollectionLinks(svc, objectBody(req, `the new state of a ${svc.type.name}`));
    const method = phaseMethod(svc, 'configure', ctx);
    const id = req.params.id as string;
    const loaded = await env.loadResource({ service: svc.service, typeId: svc.type.id, id, context: ctx });
    const state = loaded && withoutCollectionLinks(svc, loaded);
    // The async phase repeats the first call's new state, checked then; the stored state has moved on
    // since (read-only values the app answered its 202 with), so comparing them again would refuse
    // the app's own progress.
    const immutables = ctx.phase === RequestPhase.sync ? svc.immutables.update(body, state) : [];
    const issues = [...svc.validators.update(body), ...immutables];
    if (issues.length > 0) {
      throw invalidError(
        svc.type.name,
        withClassRules(issues, svc.classRules, () => svc.hydrate(safe(req, body))),
      );
    }
    const next = svc.hydrate(safe(req, body)) as Instance;
    const ruleIssues = svc.classRules?.(next) ?? [];
    if (ruleIssues.length > 0) throw invalidError(svc.type.name, ruleIssues);
    const base = state ?? { aps: { id, type: svc.type.id } };
    if (!svc.type.lifecycle.has(method as LifecycleMethod)) {
      // No configure(): the new state is accepted as it is.
      return { status: 200, body: svc.hydrate({ ...base, ...safe(req, body) }) };
    }
    // As in the APS PHP runtime, `this` is the current state and the argument the new one.
    const instance = svc.hydrate(base) as Instance;
    return { status: 200, body: result(await call(instance, method, [next]), instance) };
  });
}

export function unprovisionHandler(svc: CompiledService, env: HandlerEnv): CallHandler {
  return handle(svc, 'unprovision', env, async (req, ctx) => {
    const method = phaseMethod(svc, 'unprovision', ctx);
    const instance = await current(svc, env, ctx, req.params.id as string);
    const value = await call(instance, method);
    return value === undefined || value === null ? { status: 204 } : { status: 200, body: value };
  });
}

export function upgradeHandler(svc: CompiledService, env: HandlerEnv): CallHandler {
  return handle(svc, 'upgrade', env, async (req, ctx) => {
    const instance = await current(svc, env, ctx, req.params.id as string);
    const args = req.body !== undefined ? [safe(req, req.body)] : [];
    const value = await call(
      instance,
      ctx.phase === RequestPhase.async && svc.type.lifecycle.has('upgradeAsync') ? 'upgradeAsync' : 'upgrade',
      args,
    );
    return value === undefined || value === null ? { status: 204 } : { status: 200, body: value };
  });
}

// ---- links ----------------------------------------------------------------------------------

function relationOf(svc: CompiledService, name: string): RelationModel {
  const relation = svc.type.relations.find((r) => r.name === name);
  if (!relation) throw new NotFoundError(`${svc.type.name} has no relation or operation "${name}"`);
  return relation;
}

export function linkHandler(svc: CompiledService, env: HandlerEnv): CallHandler {
  return handle(svc, 'link', env, async (req, ctx) => {
    const relation = relationOf(svc, req.params.relation as string);
    const linked = safe(req, objectBody(req, `the resource to link to ${relation.name}`));
    const instance = await current(svc, env, ctx, req.params.id as string);
    const value = relation.linkMethod ? await call(instance, relation.linkMethod, [linked]) : undefined;
    return value === undefined || value === null ? { status: 204 } : { status: 200, body: value };
  });
}

export function unlinkHandler(svc: CompiledService, env: HandlerEnv): CallHandler {
  return handle(svc, 'unlink', env, async (req, ctx) => {
    const relation = relationOf(svc, req.params.relation as string);
    const instance = await current(svc, env, ctx, req.params.id as string);
    const linked = { aps: { id: req.params.linkedId, type: relation.type } };
    const value = relation.unlinkMethod ? await call(instance, relation.unlinkMethod, [linked]) : undefined;
    return value === undefined || value === null ? { status: 204 } : { status: 200, body: value };
  });
}

// ---- custom operations ----------------------------------------------------------------------

export function operationHandler(svc: CompiledService, op: CompiledOperation, env: HandlerEnv): CallHandler {
  const { model } = op;
  return handle(svc, model.method, env, async (req, ctx) => {
    const args: unknown[] = [];
    const issues: ValidationIssue[] = [];
    for (const p of op.params) {
      const raw =
        p.model.kind === 'body'
          ? req.body
          : coerceText(p.model.kind === 'query' ? req.query[p.model.name] : req.params[p.model.name], p.model.type);
      if (raw === undefined || (p.model.kind === 'body' && isEmptyBody(raw))) {
        if (p.model.required) issues.push({ field: p.model.name, message: 'is required' });
        args[p.model.index] = undefined;
        continue;
      }
      const found = p.validate(raw);
      if (found.length > 0) {
        const { hydrate } = p;
        const all = hydrate && typeof raw === 'object' && raw !== null;
        issues.push(
          ...paramIssues(
            p.model.name,
            all ? withClassRules(found, p.classRules, () => hydrate(safe(req, raw))) : found,
          ),
        );
        continue;
      }
      const value = p.hydrate && typeof raw === 'object' && raw !== null ? p.hydrate(safe(req, raw)) : safe(req, raw);
      const ruleIssues = p.classRules && typeof value === 'object' && value !== null ? p.classRules(value) : [];
      issues.push(...paramIssues(p.model.name, ruleIssues));
      args[p.model.index] = value;
    }
    if (issues.length > 0) throw invalidError(`parameters of ${model.name}`, issues);

    let value: unknown;
    if (model.static) {
      const fn = (svc.type.target as unknown as Instance)[model.method] as (...a: unknown[]) => unknown;
      value = await fn.apply(svc.type.target, args);
    } else {
      const instance = await current(svc, env, ctx, req.params.id as string);
      value = await call(instance, model.method, args);
    }
    return value === undefined || value === null ? { status: 204 } : { status: 200, body: value };
  });
}

function isEmptyBody(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}
