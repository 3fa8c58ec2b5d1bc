// The stored user numbered n, for store tests: every field derived from n, any overridden.
import type { UserRecord } from "../users-repo.js";

export const userRecord = (n: number, over: Partial<UserRecord> = {}): UserRecord => ({
  id: `u${n}`,
  email: `user${n}@example.com`,
  firstName: `First${n}`,
  lastName: `Last${n}`,
  age: 20 + (n % 50),
  phone: "",
  address: `${n} Main St`,
  ...over,
});
