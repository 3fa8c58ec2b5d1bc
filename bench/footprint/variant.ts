/**
 * A `--variant` of bench:footprint and bench:service: words that are Node arguments (`--max-semi-space-size=2`)
 * and words that set an environment variable of the service's process over the image's
 * (`MALLOC_CONF=narenas:1,dirty_decay_ms:0`), so a V8 flag and a jemalloc setting are both
 * measured against the image in one run. A variable is a word that starts NAME= in capitals.
 */
export interface Variant {
  /** The flag's words as given (the case's name). */
  words: string[];
  nodeArgs: string[];
  env: Record<string, string>;
}

const ENV_WORD = /^([A-Z][A-Z0-9_]*)=(.*)$/s;

/** Splits a variant flag's words into Node arguments and environment variables, in order. */
export function parseVariant(flag: string): Variant {
  const words = flag.split(/\s+/).filter(Boolean);
  const variant: Variant = { words, nodeArgs: [], env: {} };
  for (const word of words) {
    const match = ENV_WORD.exec(word);
    if (match) variant.env[match[1]!] = match[2]!;
    else variant.nodeArgs.push(word);
  }
  return variant;
}
