/**
 * The stream registries against Map and Set as models: the same answers over random churn
 * (small tables, so probe runs wrap around and backward shifts are exercised), no growth from
 * churn, and no slot left holding a deleted stream.
 */
import { describe, expect, it } from "vitest";
import { PendingStreams, StreamsById } from "./stream-registries.js";
import { seededRandom as random } from "../seeded-random.js";

const sorted = <T>(items: Iterable<T>): T[] =>
  [...items].sort((a, b) => String(a).localeCompare(String(b)));

describe("StreamsById", () => {
  it("answers as a Map does over random churn of stream ids", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const next = random(seed);
      const registry = new StreamsById<string>(4);
      const model = new Map<number, string>();
      // ids from a narrow range collide often; odd and even ids both occur
      for (let step = 0; step < 5_000; step++) {
        const id = 1 + Math.floor(next() * 40);
        const roll = next();
        if (roll < 0.45) {
          registry.set(id, `stream ${id} at ${step}`);
          model.set(id, `stream ${id} at ${step}`);
        } else if (roll < 0.9) {
          expect(registry.delete(id)).toBe(model.delete(id));
        } else {
          expect(registry.get(id)).toBe(model.get(id));
          expect(registry.has(id)).toBe(model.has(id));
        }
        expect(registry.size).toBe(model.size);
      }
      for (let id = 0; id <= 41; id++) expect(registry.get(id)).toBe(model.get(id));
      expect(sorted(registry.entries())).toEqual(sorted(model.entries()));
    }
  });

  it("keeps its table size under churn: it grows with streams open at once, not with streams seen", () => {
    const registry = new StreamsById<object>();
    const open: number[] = [];
    for (let id = 1; id < 200_000; id += 2) {
      registry.set(id, { id });
      open.push(id);
      if (open.length > 5) registry.delete(open.shift()!);
    }
    expect(registry.size).toBe(5);
    expect(registry.capacity).toBe(16);
    for (const id of open) expect(registry.get(id)).toEqual({ id });
  });

  it("holds nothing of a deleted stream", () => {
    const registry = new StreamsById<object>(4);
    const streams = Array.from({ length: 50 }, (_, i) => ({ id: 2 * i + 1 }));
    for (const stream of streams) registry.set(stream.id, stream);
    for (const stream of streams.slice(0, 45)) registry.delete(stream.id);
    const slots = (registry as unknown as { slots: unknown[] }).slots;
    expect(slots.filter((slot) => slot !== undefined)).toHaveLength(5);
    expect(sorted(registry.values())).toEqual(sorted(streams.slice(45)));
  });

  it("lets forEach's callback delete, as Node's destroy-all does", () => {
    const registry = new StreamsById<string>();
    for (let id = 1; id <= 21; id += 2) registry.set(id, `s${id}`);
    const seen: unknown[] = [];
    registry.forEach((value, id, map) => {
      seen.push(value);
      map.delete(id);
    });
    expect(seen).toHaveLength(11);
    expect(registry.size).toBe(0);
  });

  it("is a Map for keys that are not stream ids", () => {
    const registry = new StreamsById<string>();
    registry
      .set("a", "x")
      .set(0, "zero")
      .set(2 ** 31, "big")
      .set(1.5, "half")
      .set(3, "three");
    expect(registry.size).toBe(5);
    expect([registry.get("a"), registry.get(0), registry.get(2 ** 31), registry.get(1.5)]).toEqual([
      "x",
      "zero",
      "big",
      "half",
    ]);
    expect(registry.delete("a")).toBe(true);
    expect(registry.has("a")).toBe(false);
    expect(sorted(registry.keys())).toEqual(sorted([0, 2 ** 31, 1.5, 3]));
    registry.clear();
    expect(registry.size).toBe(0);
    expect(registry.get(3)).toBeUndefined();
  });
});

describe("PendingStreams", () => {
  it("answers as a Set does over random churn", () => {
    const next = random(7);
    const items = Array.from({ length: 12 }, (_, i) => ({ i }));
    const pending = new PendingStreams<object>();
    const model = new Set<object>();
    for (let step = 0; step < 3_000; step++) {
      const item = items[Math.floor(next() * items.length)]!;
      if (next() < 0.5) {
        pending.add(item);
        model.add(item);
      } else {
        expect(pending.delete(item)).toBe(model.delete(item));
      }
      expect(pending.size).toBe(model.size);
      expect(pending.has(item)).toBe(model.has(item));
    }
    expect(new Set(pending)).toEqual(model);
  });

  it("holds nothing of a deleted stream and lets forEach's callback delete", () => {
    const pending = new PendingStreams<object>();
    const [a, b, c] = [{ a: 1 }, { b: 2 }, { c: 3 }];
    pending.add(a).add(b).add(c).add(b);
    expect(pending.size).toBe(3);
    pending.delete(a);
    expect((pending as unknown as { items: object[] }).items).toEqual([c, b]);
    pending.forEach((item, _, set) => set.delete(item));
    expect(pending.size).toBe(0);
    expect([...pending.entries()]).toEqual([]);
  });
});
