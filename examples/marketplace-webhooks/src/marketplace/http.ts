/**
 * The simulated marketplace's HTTP, on node:http alone: a delivery that fails or answers too late,
 * and the small JSON answers of its own two routes.
 */
import http from 'node:http';

/** What a delivery came to: a status in time, no answer in time, or a connection that failed. */
export type DeliveryOutcome =
  { readonly kind: 'answered'; readonly status: number } | { readonly kind: 'late' } | { readonly kind: 'dropped' };

/**
 * POSTs `body` to `url` and waits at most `timeoutMs` for the status. An answer after that is
 * `late`: the marketplace has already failed the attempt, whatever the answer would have said.
 */
export function post(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  timeoutMs: number,
): Promise<DeliveryOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: DeliveryOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = http.request(
      url,
      // A connection per delivery, as a webhook sender makes: none is kept open between them.
      { method: 'POST', agent: false, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        res.resume(); // the body says nothing the marketplace needs
        settle({ kind: 'answered', status: res.statusCode ?? 0 });
      },
    );
    const timer = setTimeout(() => {
      settle({ kind: 'late' });
      req.destroy();
    }, timeoutMs);
    req.on('error', () => settle({ kind: 'dropped' }));
    req.end(body);
  });
}

export function readBody(req: http.IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      data += chunk;
      if (data.length > limit) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
