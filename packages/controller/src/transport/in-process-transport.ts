import { mayHoldUnsafeKeys, type Dispatcher } from '@apskit/express';
import type { EndpointAnswer, EndpointRequest, Transport } from './transport';

/**
 * Calls an APSKit endpoint in this process, through its dispatcher: the same routes, validation and
 * answers as over HTTP, without a socket. The body goes through JSON as it would on the wire, so the
 * endpoint never shares an object with the controller.
 */
export class InProcessTransport implements Transport {
  constructor(private readonly endpoint: Pick<Dispatcher, 'dispatch'>) {}

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
