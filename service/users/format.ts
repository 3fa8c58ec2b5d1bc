import type { UserRecord } from "../store/users-repo.js";

/** One user a line, as the old CLI printed it: `First Last <email> (N years old, address: ...)`. */
export function formatUser(
  user: Pick<UserRecord, "firstName" | "lastName" | "email" | "age" | "address">,
): string {
  return `${user.firstName} ${user.lastName} <${user.email}> (${user.age} years old, address: ${user.address})`;
}
