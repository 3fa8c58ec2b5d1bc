import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, testDatabases } from "../../test/postgres/databases.js";
import { type Store, openStore } from "../store/store.js";
import { UserDirectory } from "./directory.js";
import { sampleUsers } from "./sample.js";

const ada = { email: "Ada@Example.com", age: 36, name: { first: "Ada", last: "Okafor" } };

describe.each(BACKENDS)("user directory on %s", (backend) => {
  const dbs = testDatabases(backend);
  let store: Store;
  let users: UserDirectory;
  beforeAll(async () => {
    await dbs.start();
    store = await openStore({ tenant: "acme", ...(await dbs.fresh()) });
    users = new UserDirectory(store.users, { resultLimit: 5 });
    await store.users.insertMany(sampleUsers());
  });
  afterAll(async () => {
    await store?.close();
    await dbs.stop();
  });

  it("creates a user with an assigned id and finds it by email, ignoring case", async () => {
    const created = await users.create(ada);
    expect(created.status.code).toBe("SUCCESS");
    expect(created.user?.id).toMatch(/^[0-9a-f-]{36}$/);
    const found = await users.getByEmail("ADA@example.COM");
    expect(found).toEqual({
      status: { code: "SUCCESS", msg: expect.any(String) },
      user: created.user,
    });
  });

  it("answers FAILED with a clear message for a duplicate email or an unknown one", async () => {
    await users.create({ ...ada, email: "dup@example.com" });
    const duplicate = await users.create({ ...ada, email: "DUP@example.com" });
    expect(duplicate.status).toEqual({
      code: "FAILED",
      msg: "a user with email dup@example.com already exists",
    });
    expect(duplicate.user).toBeUndefined();
    expect((await users.getByEmail("nobody@example.com")).status).toEqual({
      code: "FAILED",
      msg: "no user with email nobody@example.com",
    });
  });

  it("answers INVALID_QUERY for bad input, storing nothing", async () => {
    const before = await store.users.count();
    expect((await users.create({ ...ada, email: "" })).status.code).toBe("INVALID_QUERY");
    expect((await users.create({ ...ada, email: "x@y" })).status.code).toBe("INVALID_QUERY");
    expect((await users.create({ ...ada, age: 151 })).status.code).toBe("INVALID_QUERY");
    expect((await users.create(null)).status.code).toBe("INVALID_QUERY");
    expect((await users.getByEmail("")).status.code).toBe("INVALID_QUERY");
    const backwards = await users.searchAge({ from: 40, to_included: 30 });
    expect(backwards).toEqual({
      status: {
        code: "INVALID_QUERY",
        msg: "ageRange.from (40) is greater than ageRange.to_included (30)",
      },
      users: [],
    });
    expect(await store.users.count()).toBe(before);
  });

  it("caps results: PARTIAL_SUCCESS with the first N in order when more match", async () => {
    const listed = await users.list();
    expect(listed.status.code).toBe("PARTIAL_SUCCESS");
    expect(listed.status.msg).toContain("showing the first 5");
    const emails = listed.users.map((u) => u.email);
    expect(emails).toEqual([...emails].sort());
    expect(emails).toHaveLength(5);
  });

  it("searches names by case-insensitive substring of first or last name, in email order", async () => {
    const result = await users.searchName("DQVI");
    expect(result.status.code).toBe("SUCCESS");
    const expected = sampleUsers().filter((u) => u.lastName === "Lindqvist");
    expect(result.users.map((u) => u.id).sort()).toEqual(expected.map((u) => u.id).sort());
    expect(expected.length).toBeGreaterThan(1);
    const emails = result.users.map((u) => u.email);
    expect(emails).toEqual([...emails].sort());
  });

  it("searches an inclusive age range in (age, email) order", async () => {
    const result = await users.searchAge({ from: 21, to_included: 25 });
    const expected = sampleUsers()
      .filter((u) => u.age >= 21 && u.age <= 25)
      .sort((a, b) => a.age - b.age || (a.email < b.email ? -1 : 1));
    expect(result.users).toEqual(expected.slice(0, 5));
    expect(result.users.map((u) => u.age)).toContain(21);
  });
});
