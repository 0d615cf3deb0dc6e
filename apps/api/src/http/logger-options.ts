/**
 * pino options for Fastify: requests are logged as method, url and id only, so bodies (images)
 * never reach the log; credentials are redacted in case a header object is ever logged.
 */
import type { DestinationStream, LoggerOptions } from "pino";

export function loggerOptions(
  level: string,
  stream?: DestinationStream,
): LoggerOptions & { stream?: DestinationStream } {
  return {
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        "headers.authorization",
        "authorization",
        "*.image",
        "image",
        "body",
      ],
      censor: "[redacted]",
    },
    serializers: {
      // The query string is dropped: a client may put a token or signed URL there (?access_token=...).
      req: (req: { method?: string; url?: string; id?: string }) => ({
        method: req.method,
        url: req.url?.split("?")[0],
        id: req.id,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    ...(stream ? { stream } : {}),
  };
}
