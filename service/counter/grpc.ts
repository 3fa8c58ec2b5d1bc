/**
 * counter.v1.Counter/Next as a plain async method: the uint64 value travels as a decimal
 * string (exact beyond 2^53). A storage failure is thrown, for the server to map.
 */
import type { CounterAllocator } from "./allocator.js";

export function counterMethods(counter: Pick<CounterAllocator, "next">): {
  Next: () => Promise<{ value: string }>;
} {
  return { Next: async () => ({ value: (await counter.next()).toString() }) };
}
