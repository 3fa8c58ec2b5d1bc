/**
 * Mapping between the directory's records and user.proto messages as @grpc/proto-loader
 * decodes them. Field names of User, Name, Status and SearchResp are single words, so they
 * read the same whether or not the loader keeps case; the enum travels as its name, which
 * protobufjs encodes for either `enums: String` or numeric enum settings.
 */
import type { UserRecord } from "../store/users-repo.js";
import type { UserResult, UsersResult } from "./directory.js";

export interface WireUser {
  id: string;
  age: number;
  name: { first: string; last: string };
  email: string;
  phone: string;
  address: string;
}

export function toWireUser(user: UserRecord): WireUser {
  return {
    id: user.id,
    age: user.age,
    name: { first: user.firstName, last: user.lastName },
    email: user.email,
    phone: user.phone,
    address: user.address,
  };
}

/** CreateResp / GetByEmailResp. */
export function toWireUserResult(result: UserResult): {
  status: UserResult["status"];
  user?: WireUser;
} {
  return result.user
    ? { status: result.status, user: toWireUser(result.user) }
    : { status: result.status };
}

/** SearchResp. */
export function toWireUsersResult(result: UsersResult): {
  status: UsersResult["status"];
  users: WireUser[];
} {
  return { status: result.status, users: result.users.map(toWireUser) };
}

/** A decoded wire User (any field may be missing) back to a record, e.g. for the CLI. */
export function fromWireUser(user: Partial<WireUser> | null | undefined): UserRecord {
  const { id = "", email = "", phone = "", address = "", age = 0, name } = user ?? {};
  return {
    id,
    email,
    firstName: name?.first ?? "",
    lastName: name?.last ?? "",
    age: Number(age),
    phone,
    address,
  };
}
