declare module "s3rver" {
  import type { IncomingMessage, ServerResponse } from "node:http";
  import type { S3rverStore } from "./safe-put-object.ts";
  interface S3rverOptions {
    directory?: string;
    silent?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs: unknown[] }[];
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    store: S3rverStore;
    configureBuckets(): Promise<unknown>;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    on(event: "error", listener: (error: Error) => void): this;
  }
}
