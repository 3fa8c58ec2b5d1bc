/**
 * The user.StatusCode enum of the wire contract (spec section 3). Business outcomes travel
 * in a Status message with gRPC OK; these names and numbers are what old clients read.
 */
export const STATUS_CODES = {
  FAILED: 0,
  NO_IMPL_YET: 1,
  INVALID_QUERY: 2,
  PARTIAL_SUCCESS: 3,
  SUCCESS: 4,
  READMSG: 5,
} as const;

export type StatusCodeName = keyof typeof STATUS_CODES;

export interface Status {
  code: StatusCodeName;
  msg: string;
}

export const status = (code: StatusCodeName, msg: string): Status => ({ code, msg });
