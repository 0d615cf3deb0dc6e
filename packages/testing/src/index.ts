export * from "./fixtures.ts";
export * from "./redis-url.ts";
export * from "./unique-name.ts";
export * from "./free-port.ts";
export * from "./private-redis.ts";
export * from "./aws-clients.ts";
export * from "./local-aws.ts";
export * from "./rekognition-faults.ts";
