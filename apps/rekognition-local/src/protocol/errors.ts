/**
 * Rekognition's error codes as one error class: thrown anywhere, turned into the AWS JSON 1.1 error
 * body (`{"__type", "Message"}`) and `x-amzn-ErrorType` header in one place (the app's error handler,
 * through sendAwsError).
 */
export class RekognitionError extends Error {
  override readonly name = "RekognitionError";
  readonly code: string;
  /** 400 for client errors; AWS uses 500 for the model's server faults (SERVER_FAULT_CODES). */
  readonly status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

export const invalidParameter = (message: string): RekognitionError =>
  new RekognitionError("InvalidParameterException", message);

export const resourceNotFound = (message: string): RekognitionError =>
  new RekognitionError("ResourceNotFoundException", message);

export const collectionNotFound = (collectionId: string): RekognitionError =>
  resourceNotFound(`The collection id: ${collectionId} does not exist`);

export const serialization = (message: string): RekognitionError =>
  new RekognitionError("SerializationException", message);

/** What AWS answers above an account's TPS quota (ThrottlingException is its 500 for a service under strain). */
export const throttled = (): RekognitionError =>
  new RekognitionError("ProvisionedThroughputExceededException", "Provisioned rate exceeded");

/** The errors Rekognition's model marks as server faults ("fault": true): AWS answers them with HTTP 500. */
export const SERVER_FAULT_CODES: ReadonlySet<string> = new Set(["InternalServerError", "ThrottlingException"]);
