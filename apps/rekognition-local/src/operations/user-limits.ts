/** Rekognition's documented limits and defaults for users. */

/** AWS: a user holds at most 100 faces (ServiceQuotaExceededException beyond). */
export const MAX_FACES_PER_USER = 100;

/** AWS's UserMatchThreshold default for AssociateFaces: a new face must match the user's faces this well. */
export const DEFAULT_ASSOCIATE_THRESHOLD = 75;

/** AWS's UserMatchThreshold default for SearchUsers and SearchUsersByImage. */
export const DEFAULT_SEARCH_USERS_THRESHOLD = 80;

/** MaxUsers / MaxResults when not given: the model's maximum (500), AWS documents no smaller default. */
export const DEFAULT_MAX_USERS = 500;

/**
 * UserStatus: CREATED for a user with no faces yet, ACTIVE once it has faces. AWS answers UPDATING while it
 * rebuilds a user's vector in the background; here every change is applied before the answer, so never.
 */
export const userStatus = (faceCount: number): "ACTIVE" | "CREATED" => (faceCount > 0 ? "ACTIVE" : "CREATED");
