/**
 * A simulated outage in front of the provisioner's webhook intake, for the transient-error
 * scenario: the next deliveries are answered 503, dropped (the connection is cut), or acknowledged
 * too late (stored, but answered after the marketplace stopped waiting).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type OutageKind = '503' | 'drop' | 'late';

export class Outage {
  private readonly planned: OutageKind[] = [];

  constructor(private readonly lateMs = 3000) {}

  /** The next delivery meets this fault. */
  next(kind: OutageKind): void {
    this.planned.push(kind);
  }

  /** Connect-style middleware, for `intakeMiddleware`. */
  readonly middleware = (_req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const kind = this.planned.shift();
    switch (kind) {
      case undefined:
        return next();
      case '503':
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 503, error: 'ServiceUnavailable', message: 'Deploying a new version' }));
        return;
      case 'drop':
        res.socket?.destroy();
        return;
      case 'late': {
        // The intake stores the attempt at once; only its answer is held back.
        const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
        res.end = ((...args: unknown[]) => {
          setTimeout(() => end(...args), this.lateMs);
          return res;
        }) as typeof res.end;
        return next();
      }
    }
  };
}
