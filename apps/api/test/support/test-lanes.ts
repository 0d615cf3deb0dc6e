/** Every kind's lane under a test's own prefix, opened by openLanes as main.ts does, with its own connections. */
import { Redis } from "ioredis";
import { createBacklogGuard } from "../../src/admission/backlog-guard.ts";
import { openLanes, type OpenedLanes, type OpenLanesDeps } from "../../src/jobs/lanes.ts";

export interface TestLanes {
  /** The command connection the lanes share (fail-fast, as the API's). */
  commands: Redis;
  opened: OpenedLanes;
  /** Closes the lanes and every connection opened for them. */
  close(): Promise<void>;
}

/** A guard that always lets the request through (back-pressure and memory are tested with the real ones). */
export const noLimit = { check: async () => {} };

export async function openTestLanes(
  redisUrl: string,
  prefix: string,
  options: Pick<OpenLanesDeps, "events" | "pollIntervalMs"> & {
    /** Turns on back-pressure: new jobs are refused while more than this many wait in a kind's queue. */
    maxBacklog?: number;
  } = {},
): Promise<TestLanes> {
  const commands = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const eventConnections: Redis[] = [];
  const { maxBacklog, ...waiting } = options;
  const opened = await openLanes({
    commands,
    eventsConnection: () => {
      const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
      eventConnections.push(connection);
      return connection;
    },
    prefix,
    backlog: (queue) => (maxBacklog === undefined ? noLimit : createBacklogGuard({ queue, maxBacklog, cacheMs: 0 })),
    onError: () => {},
    ...waiting,
  });
  return {
    commands,
    opened,
    async close() {
      await opened.close();
      commands.disconnect();
      for (const connection of eventConnections) connection.disconnect();
    },
  };
}
