/** What the official SDK reports for a call that must fail: the AWS error code, message and HTTP status. */
import { RekognitionServiceException } from "@aws-sdk/client-rekognition";

export async function errorOf(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RekognitionServiceException) {
      return { name: error.name, message: error.message, status: error.$metadata.httpStatusCode };
    }
    throw error;
  }
  throw new Error("expected the call to fail");
}
