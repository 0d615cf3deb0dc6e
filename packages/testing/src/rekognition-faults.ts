/**
 * Fault injection against the local Rekognition server's /_local/faults: the next `count` calls of an operation
 * are delayed and/or answered with an error, so a test can prove retries and timeouts.
 */
export interface InjectedFault {
  /** An operation name ("IndexFaces") or "*" for every operation. */
  operation: string;
  /** How many of the next calls it affects (the server's default is 1). */
  count?: number;
  /** The error code to answer with; without it the call is only delayed. */
  code?: string;
  /** HTTP status; the server picks 500 for the model's server faults, else 400. */
  status?: number;
  message?: string;
  latencyMs?: number;
}

/** POSTs the fault and hands back the server's answer as is (201, or 400 naming what is wrong). */
export function postFault(rekognitionUrl: string, fault: InjectedFault): Promise<Response> {
  return fetch(`${rekognitionUrl}/_local/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
}

/** Adds a fault; throws when the server refused it, so a test never runs without the fault it meant. */
export async function injectFault(rekognitionUrl: string, fault: InjectedFault): Promise<void> {
  const response = await postFault(rekognitionUrl, fault);
  if (!response.ok) throw new Error(`fault injection failed: ${response.status} ${await response.text()}`);
}

/** The faults still pending (a consumed fault is gone: its call is under way or done). */
export async function pendingFaults(rekognitionUrl: string): Promise<InjectedFault[]> {
  const response = await fetch(`${rekognitionUrl}/_local/faults`);
  if (!response.ok) throw new Error(`listing faults failed: ${response.status}`);
  return ((await response.json()) as { faults: InjectedFault[] }).faults;
}

/** Drops faults a test left unused, so they cannot fail the next test's calls. */
export async function clearFaults(rekognitionUrl: string): Promise<void> {
  const response = await fetch(`${rekognitionUrl}/_local/faults`, { method: "DELETE" });
  if (!response.ok) throw new Error(`clearing faults failed: ${response.status}`);
}
