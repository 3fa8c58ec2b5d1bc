import { describe, expect, it } from "vitest";
import { checkAgeRange, checkEmail, checkNameQuery, checkNewUser } from "./validate.js";

const newId = (): string => "generated-id";

describe("checkEmail", () => {
  it.each([
    ["", "email is required"],
    ["   ", "email is required"],
    [undefined, "email is required"],
    ["plainaddress", "malformed email"],
    ["a@b", "malformed email"],
    ["a b@example.com", "malformed email"],
    ["a@@example.com", "malformed email"],
    [`${"x".repeat(250)}@example.com`, "longer than 254"],
  ])("rejects %j", (raw, msg) => {
    const result = checkEmail(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.msg).toContain(msg);
  });

  it("trims and lower-cases a valid email", () => {
    expect(checkEmail("  Ada.Lovelace@Example.COM ")).toEqual({
      ok: true,
      value: "ada.lovelace@example.com",
    });
  });
});

describe("checkNewUser", () => {
  const valid = { email: "a@example.com", age: 30, name: { first: "Ada", last: "L" } };

  it("assigns an id when none is given and keeps a given one", () => {
    const created = checkNewUser(valid, newId);
    expect(created.ok && created.value.id).toBe("generated-id");
    const kept = checkNewUser({ ...valid, id: " mine " }, newId);
    expect(kept.ok && kept.value.id).toBe("mine");
  });

  it.each([
    [-1, false],
    [0, true],
    [150, true],
    [151, false],
    [20.5, false],
  ])("accepts age %d: %s", (age, accepted) => {
    expect(checkNewUser({ ...valid, age }, newId).ok).toBe(accepted);
  });

  it("treats a missing age as 0 (proto3 default)", () => {
    const { age: _age, ...withoutAge } = valid;
    const result = checkNewUser(withoutAge, newId);
    expect(result.ok && result.value.age).toBe(0);
  });

  it("rejects a missing user, a bad email and oversized fields with a message", () => {
    expect(checkNewUser(null, newId)).toEqual({ ok: false, msg: "user is required" });
    expect(checkNewUser({ ...valid, email: "nope" }, newId).ok).toBe(false);
    const long = checkNewUser({ ...valid, address: "x".repeat(501) }, newId);
    expect(long).toEqual({ ok: false, msg: "address is longer than 500 characters" });
  });
});

describe("checkAgeRange", () => {
  it("accepts a range with from <= to_included, reading either field spelling", () => {
    expect(checkAgeRange({ from: 20, to_included: 20 })).toEqual({
      ok: true,
      value: { from: 20, toIncluded: 20 },
    });
    expect(checkAgeRange({ from: 0, toIncluded: 150 }).ok).toBe(true);
  });

  it.each([
    [{ from: 30, to_included: 20 }, "greater than"],
    [{ from: -1, to_included: 20 }, "ageRange.from"],
    [{ from: 1, to_included: 151 }, "ageRange.to_included"],
    [null, "ageRange is required"],
  ])("rejects %j", (range, msg) => {
    const result = checkAgeRange(range);
    expect(!result.ok && result.msg).toContain(msg);
  });
});

describe("checkNameQuery", () => {
  it("trims the query and refuses an oversized one", () => {
    expect(checkNameQuery("  ann ")).toEqual({ ok: true, value: "ann" });
    expect(checkNameQuery("x".repeat(201)).ok).toBe(false);
    expect(checkNameQuery(42).ok).toBe(false);
  });
});
