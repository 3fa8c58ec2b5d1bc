/**
 * Runs `work` over `items` with at most `concurrency` in flight, in order of `items`.
 * Rejects with the first error after the in-flight calls settle (no new ones start).
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker),
  );
  if (failure === undefined) return;
  throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
}
