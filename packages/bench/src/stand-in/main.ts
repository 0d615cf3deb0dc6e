/** The stand-in as its own process (so its CPU is not the load generator's): STAND_IN_PORT, on 127.0.0.1 only. */
import { createStandInServer } from "./stand-in-server.ts";

// The bench picks a free port and passes it; 4570 when run alone, next to the local S3's ports.
const port = Number(process.env.STAND_IN_PORT ?? 4570);
const { server } = createStandInServer();
server.listen(port, "127.0.0.1");
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    // Keep-alive connections of the clients would hold close() open.
    server.closeAllConnections();
  });
}
