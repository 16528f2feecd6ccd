import { mayHoldUnsafeKeys, type Dispatcher } from '@apskit/express';
import type { EndpointAnswer, EndpointRequest, Transport } from './transport';

/** How the in-process endpoint calls the controller back as the app (see auth/app-secret.ts). */
export type InProcessInstance = NonNullable<Parameters<Dispatcher['dispatch']>[0]['instance']>;

/**
 * Calls an APSKit endpoint in this process, through its dispatcher: the same routes, validation and
 * answers as over HTTP, without a socket. The body goes through JSON as it would on the wire, so the
 * endpoint never shares an object with the controller.
 */
export class InProcessTransport implements Transport {
  /**
   * `instance`, read per call: the application instance the endpoint serves and how its calls to
   * the controller authenticate as the app (the embedded controller's per-process secret: there is
   * no TLS in process to present the instance certificate over, and the APS-Instance-ID header
   * grants nothing).
   */
  constructor(
    private readonly endpoint: Pick<Dispatcher, 'dispatch'>,
    private readonly instance?: () => InProcessInstance | undefined,
  ) {}

  async call(request: EndpointRequest): Promise<EndpointAnswer> {
    const text = request.body === undefined ? undefined : JSON.stringify(request.body);
    const [path, search] = splitQuery(request.path);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
    const reply = await this.endpoint.dispatch({
      method: request.method,
      path,
      headers,
      query: Object.fromEntries(new URLSearchParams(search)),
      body: text === undefined ? undefined : JSON.parse(text),
      unsafeKeys: text !== undefined && mayHoldUnsafeKeys(text),
      instance: this.instance?.(),
    });
    const answerHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.headers)) answerHeaders[name.toLowerCase()] = value;
    return {
      status: reply.status,
      headers: answerHeaders,
      // The endpoint's own JSON text when it made it (it does for every body), so nothing is serialized twice.
      body:
        reply.body === undefined || reply.status === 204
          ? undefined
          : JSON.parse(reply.json ?? JSON.stringify(reply.body)),
    };
  }
}

function splitQuery(path: string): [string, string] {
  const i = path.indexOf('?');
  return i < 0 ? [path, ''] : [path.slice(0, i), path.slice(i + 1)];
}
