import { describe, expect, it } from "vitest";
import {
  APPLIED_HASH_ANNOTATION,
  appliedHashOf,
  canonicalJson,
  hashObject,
  withAppliedHash,
} from "./hash.js";

const cm = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "b", namespace: "n" },
  data: { a: "1", b: "2" },
};

describe("the applied hash", () => {
  it("does not depend on key order", () => {
    const reordered = {
      data: { b: "2", a: "1" },
      metadata: { namespace: "n", name: "b" },
      kind: "ConfigMap",
      apiVersion: "v1",
    };
    expect(hashObject(reordered)).toBe(hashObject(cm));
  });

  it("changes with the content", () => {
    const changed = { ...cm, data: { a: "1", b: "3" } };
    expect(hashObject(changed)).not.toBe(hashObject(cm));
  });

  it("ignores its own annotation, so stamping twice gives the same hash", () => {
    const once = withAppliedHash(cm);
    expect(appliedHashOf(once)).toBe(hashObject(cm));
    expect(withAppliedHash(once)).toEqual(once);
  });

  it("keeps other annotations and leaves the input alone", () => {
    const annotated = { ...cm, metadata: { ...cm.metadata, annotations: { keep: "me" } } };
    const stamped = withAppliedHash(annotated);
    expect(stamped.metadata.annotations).toEqual({
      keep: "me",
      [APPLIED_HASH_ANNOTATION]: hashObject(annotated),
    });
    expect(annotated.metadata.annotations).toEqual({ keep: "me" });
  });

  it("reads no hash from an object that has none", () => {
    expect(appliedHashOf(cm)).toBeUndefined();
    expect(appliedHashOf(undefined)).toBeUndefined();
  });

  it("canonical JSON drops undefined and sorts keys at every level", () => {
    expect(canonicalJson({ b: [{ d: 1, c: undefined, a: 2 }], a: null })).toBe(
      '{"a":null,"b":[{"a":2,"d":1}]}',
    );
  });
});
