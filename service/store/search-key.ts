/**
 * The form names are searched in, on every backend: Unicode NFD with combining marks removed,
 * then lower-cased, plus the few Latin letters NFD leaves whole (ø, ł, đ, æ, œ, ß, ı, þ).
 * "Maël", "MAEL" and "mael" all become "mael"; "Ångström" becomes "angstrom".
 *
 * The store keeps first_key/last_key columns in this form next to the names (written by the
 * code on every insert, back-filled by a migration) and indexes them, and a search needle is
 * put in the same form, so the match is a plain substring test the index can serve. Computed
 * in TypeScript, not SQL, so every backend agrees without an extension (unaccent, ICU).
 */
const WHOLE_LETTERS: Readonly<Record<string, string>> = {
  ø: "o",
  ł: "l",
  đ: "d",
  ð: "d",
  æ: "ae",
  œ: "oe",
  ß: "ss",
  ı: "i",
  þ: "th",
};
const WHOLE_LETTER = /[øłđðæœßıþ]/g;
const COMBINING_MARKS = /\p{M}+/gu;
const ASCII = /^[ -~]*$/; // printable ASCII

export function searchKey(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase(); // most names: nothing to fold but case
  const folded = text.normalize("NFD").replace(COMBINING_MARKS, "").toLowerCase();
  return folded.replace(WHOLE_LETTER, (letter) => WHOLE_LETTERS[letter] ?? letter).normalize("NFC");
}
