/**
 * The rpc methods of user.UserService as plain async functions over a UserDirectory: decoded
 * request in (proto-loader objects), response object out. Business outcomes, INVALID_QUERY
 * and FAILED included, are answers with a Status (gRPC OK), as the old clients expect; only
 * storage failures are thrown, for the server to map to a gRPC error.
 */
import type { UserDirectory } from "./directory.js";
import type { AgeRangeInput, UserInput } from "./validate.js";
import { toWireUserResult, toWireUsersResult } from "./wire.js";

type Request = Record<string, unknown>;
export type UserServiceMethods = Record<
  "Create" | "List" | "GetByEmail" | "SearchName" | "SearchAge",
  (request: Request) => Promise<object>
>;

export function userServiceMethods(users: UserDirectory): UserServiceMethods {
  return {
    Create: async (req) => toWireUserResult(await users.create(req.user as UserInput | null)),
    List: async () => toWireUsersResult(await users.list()),
    GetByEmail: async (req) => toWireUserResult(await users.getByEmail(req.email)),
    SearchName: async (req) => toWireUsersResult(await users.searchName(req.query)),
    SearchAge: async (req) =>
      toWireUsersResult(await users.searchAge(req.ageRange as AgeRangeInput | null)),
  };
}
