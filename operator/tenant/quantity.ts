/**
 * Exact comparison of Kubernetes quantities ("100m", "1", "1.5Gi", "1e3"). The API server
 * rewrites quantities into canonical form ("1000m" is stored as "1"), so drift checks must
 * compare values, not strings.
 */

export interface Rational {
  num: bigint;
  den: bigint;
}

const DECIMAL_EXPONENT: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_POWER: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const QUANTITY_RE = /^([+-]?)(\d+)(?:\.(\d*))?(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

function scaleByPowerOfTen(r: Rational, exponent: number): Rational {
  return exponent >= 0
    ? { num: r.num * 10n ** BigInt(exponent), den: r.den }
    : { num: r.num, den: r.den * 10n ** BigInt(-exponent) };
}

/** The exact value of a quantity, or undefined when the text is not one. */
export function parseQuantity(text: string): Rational | undefined {
  const m = QUANTITY_RE.exec(text.trim());
  if (!m) return undefined;
  const [, sign = "", whole = "0", fraction = "", exponent, suffix = ""] = m;
  let value: Rational = { num: BigInt(whole + fraction), den: 10n ** BigInt(fraction.length) };
  if (sign === "-") value = { num: -value.num, den: value.den };
  if (exponent) return scaleByPowerOfTen(value, Number(exponent.slice(1)));
  const binary = BINARY_POWER[suffix];
  if (binary !== undefined) return { num: value.num * 2n ** BigInt(binary), den: value.den };
  return scaleByPowerOfTen(value, DECIMAL_EXPONENT[suffix] ?? 0);
}

/** True when both texts are quantities of the same value ("1000m" and "1", "1024Mi" and "1Gi"). */
export function sameQuantity(a: string, b: string): boolean {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return x !== undefined && y !== undefined && x.num * y.den === y.num * x.den;
}
