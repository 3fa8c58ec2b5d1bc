/**
 * The behaviour of user.UserService (spec section 3), independent of gRPC: validates input,
 * asks the repository, and turns every business outcome into a Status. Storage failures
 * (database down, timeout) are thrown, for the transport to report as a server error.
 *
 * The result cap: List, SearchName and SearchAge return at most `resultLimit` users (default
 * 1000) in their documented order. When more exist, the status is PARTIAL_SUCCESS and its
 * msg says so; narrow the query (SearchAge ranges, longer SearchName) to see the rest.
 * The wire request has no paging fields, and no caller should pull millions of rows.
 */
import { randomUUID } from "node:crypto";
import type { UserRecord, UserRepository } from "../store/users-repo.js";
import { type Status, status } from "./status.js";
import {
  type AgeRangeInput,
  type UserInput,
  checkAgeRange,
  checkEmail,
  checkNameQuery,
  checkNewUser,
} from "./validate.js";

export const DEFAULT_RESULT_LIMIT = 1000;

export interface UserResult {
  status: Status;
  user?: UserRecord;
}

export interface UsersResult {
  status: Status;
  users: UserRecord[];
}

export interface UserDirectoryOptions {
  resultLimit?: number;
  /** Id for users created without one. Default: a random UUID. */
  newId?: () => string;
}

export class UserDirectory {
  readonly resultLimit: number;
  private readonly newId: () => string;

  constructor(
    private readonly repo: UserRepository,
    options: UserDirectoryOptions = {},
  ) {
    this.resultLimit = options.resultLimit ?? DEFAULT_RESULT_LIMIT;
    this.newId = options.newId ?? randomUUID;
  }

  async create(input: UserInput | null | undefined): Promise<UserResult> {
    const checked = checkNewUser(input, this.newId);
    if (!checked.ok) return { status: status("INVALID_QUERY", checked.msg) };
    const user = checked.value;
    switch (await this.repo.insert(user)) {
      case "created":
        return { status: status("SUCCESS", `created user ${user.id}`), user };
      case "duplicate-email":
        return { status: status("FAILED", `a user with email ${user.email} already exists`) };
      case "duplicate-id":
        return { status: status("FAILED", `a user with id ${user.id} already exists`) };
    }
  }

  async list(): Promise<UsersResult> {
    return this.capped(await this.repo.list(this.resultLimit + 1), "users");
  }

  async getByEmail(rawEmail: unknown): Promise<UserResult> {
    const email = checkEmail(rawEmail);
    if (!email.ok) return { status: status("INVALID_QUERY", email.msg) };
    const user = await this.repo.getByEmail(email.value);
    return user
      ? { status: status("SUCCESS", `found user ${user.id}`), user }
      : { status: status("FAILED", `no user with email ${email.value}`) };
  }

  async searchName(rawQuery: unknown): Promise<UsersResult> {
    const query = checkNameQuery(rawQuery);
    if (!query.ok) return { status: status("INVALID_QUERY", query.msg), users: [] };
    const found = await this.repo.searchName(query.value, this.resultLimit + 1);
    return this.capped(found, `users whose name contains ${JSON.stringify(query.value)}`);
  }

  async searchAge(range: AgeRangeInput | null | undefined): Promise<UsersResult> {
    const checked = checkAgeRange(range);
    if (!checked.ok) return { status: status("INVALID_QUERY", checked.msg), users: [] };
    const { from, toIncluded } = checked.value;
    const found = await this.repo.searchAge(from, toIncluded, this.resultLimit + 1);
    return this.capped(found, `users aged ${from} to ${toIncluded}`);
  }

  /** Applies the result cap to rows fetched with limit + 1 (the extra row reveals "more"). */
  private capped(rows: UserRecord[], what: string): UsersResult {
    if (rows.length <= this.resultLimit) {
      return { status: status("SUCCESS", `${rows.length} ${what}`), users: rows };
    }
    return {
      status: status(
        "PARTIAL_SUCCESS",
        `more than ${this.resultLimit} ${what}: showing the first ${this.resultLimit}; narrow the query to see the rest`,
      ),
      users: rows.slice(0, this.resultLimit),
    };
  }
}
