import { describe, expect, it } from "vitest";
import { checkNewUser, LIMITS } from "../../service/users/validate.js";
import { benchUser } from "./users.js";

const newId = (): string => "generated";

describe("bench:answers' users", () => {
  it("the largest user has every text field exactly at its limit, and the service accepts it", () => {
    const user = benchUser(1234, "largest");
    expect(user.id).toHaveLength(LIMITS.id);
    expect(user.email).toHaveLength(LIMITS.email);
    expect(user.name.first).toHaveLength(LIMITS.name);
    expect(user.name.last).toHaveLength(LIMITS.name);
    expect(user.phone).toHaveLength(LIMITS.phone);
    expect(user.address).toHaveLength(LIMITS.address);
    const checked = checkNewUser(user, newId);
    expect(checked.ok).toBe(true);
    expect(checked.ok && checked.value.email).toBe(user.email); // nothing trimmed or lowered
  });

  it("a typical user is accepted and far smaller", () => {
    const user = benchUser(7, "typical");
    expect(checkNewUser(user, newId).ok).toBe(true);
    const encoded = (u: object): number => Buffer.byteLength(JSON.stringify(u));
    expect(encoded(user) * 10).toBeLessThan(encoded(benchUser(7, "largest")));
  });

  it("users of one size are unique by id and email", () => {
    for (const size of ["typical", "largest"] as const) {
      const [a, b] = [benchUser(1, size), benchUser(10, size)];
      expect(a.id).not.toBe(b.id);
      expect(a.email).not.toBe(b.email);
    }
  });
});
