import { describe, expect, it } from "vitest";
import { formatUser } from "./format.js";
import { sampleUsers } from "./sample.js";
import { checkNewUser } from "./validate.js";

describe("sample users", () => {
  it("are 30 valid users aged 21 to 60 with unique ids and emails", () => {
    const users = sampleUsers();
    expect(users).toHaveLength(30);
    expect(Math.min(...users.map((u) => u.age))).toBe(21);
    expect(Math.max(...users.map((u) => u.age))).toBe(60);
    expect(new Set(users.map((u) => u.id)).size).toBe(30);
    expect(new Set(users.map((u) => u.email)).size).toBe(30);
    for (const u of users) {
      const input = { ...u, name: { first: u.firstName, last: u.lastName } };
      expect(checkNewUser(input, () => "unused")).toEqual({ ok: true, value: u });
    }
  });

  it("are the same on every call (replicas and restarts load identical rows)", () => {
    expect(sampleUsers()).toEqual(sampleUsers());
  });
});

describe("formatUser", () => {
  it("prints one user a line like the old CLI", () => {
    const line = formatUser({
      firstName: "Ada",
      lastName: "Okafor",
      email: "ada@example.com",
      age: 36,
      address: "12 Mill Way, Springfield",
    });
    expect(line).toBe(
      "Ada Okafor <ada@example.com> (36 years old, address: 12 Mill Way, Springfield)",
    );
  });
});
