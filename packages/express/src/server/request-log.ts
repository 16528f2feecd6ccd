import type { RequestHandler } from 'express';
import { ApsHeaderKey } from '@apskit/core';
import type { Logger } from 'pino';

/** One structured line per request, when the logger is at info or below; free otherwise. */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    if (!logger.isLevelEnabled('info')) {
      next();
      return;
    }
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info(
        {
          method: req.method,
          url: req.originalUrl,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - start) / 1e6,
          transactionId: req.headers[ApsHeaderKey.transactionId],
          phase: req.headers[ApsHeaderKey.requestPhase],
        },
        'request',
      );
    });
    next();
  };
}
