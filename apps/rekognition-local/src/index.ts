/** Package entry: other packages' tests and scripts start a server in-process with startRekognitionServer. */
export { startRekognitionServer, type RekognitionServer, type RekognitionServerOptions } from "./server.ts";
