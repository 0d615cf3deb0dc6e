/** Writes an S3-style XML error answer, the shape every S3 client parses (Code, Message, Resource). */
import type { ServerResponse } from "node:http";

export class S3RequestError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[ch]!);

export function s3ErrorXml(code: string, message: string, resource = ""): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message><Resource>${escapeXml(resource)}</Resource></Error>`
  );
}

export function sendS3Error(res: ServerResponse, error: S3RequestError, method: string, resource: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = s3ErrorXml(error.code, error.message, resource);
  // The request body may be unread (a refused PUT): close the connection rather than read a hostile body.
  res.writeHead(error.status, {
    "content-type": "application/xml",
    "content-length": method === "HEAD" ? 0 : Buffer.byteLength(body),
    connection: "close",
  });
  res.end(method === "HEAD" ? undefined : body);
}
