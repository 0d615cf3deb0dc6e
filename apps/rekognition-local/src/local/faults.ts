/**
 * Fault injection for tests (POST /_local/faults): the next `count` calls of an operation are delayed
 * by `latencyMs` and/or answered with the given error, so clients can prove their retries and timeouts.
 */
import { RekognitionError, SERVER_FAULT_CODES } from "../protocol/errors.ts";

export interface Fault {
  operation: string;
  /** How many of the next calls this fault affects. */
  count: number;
  /** Error code to answer with; without it the call is only delayed. */
  code?: string;
  status?: number;
  message?: string;
  latencyMs?: number;
}

export interface FaultRegistry {
  add(fault: Fault): void;
  clear(): void;
  list(): Fault[];
  /** Applies (and consumes one use of) the first pending fault of the operation, if any. */
  apply(operation: string): Promise<void>;
}

export function createFaultRegistry(): FaultRegistry {
  let faults: Fault[] = [];
  return {
    add: (fault) => {
      faults.push({ ...fault });
    },
    clear: () => {
      faults = [];
    },
    list: () => faults.map((fault) => ({ ...fault })),
    apply: async (operation) => {
      const fault = faults.find((f) => f.operation === operation || f.operation === "*");
      if (!fault) return;
      fault.count -= 1;
      if (fault.count <= 0) faults = faults.filter((f) => f !== fault);
      if (fault.latencyMs) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
      if (fault.code) {
        const status = fault.status ?? (SERVER_FAULT_CODES.has(fault.code) ? 500 : 400);
        throw new RekognitionError(fault.code, fault.message ?? `Injected fault: ${fault.code}`, status);
      }
    },
  };
}
