// Deterministic synthetic users for the store bench: varied syllable-built names so that
// trigram search sees a realistic spread of rare and common substrings.
import type { UserRecord } from "../service/store/users-repo.js";
import { seededRandom } from "../service/seeded-random.js";

const SYLLABLES = [
  "ka",
  "lo",
  "mi",
  "ren",
  "sa",
  "tor",
  "vi",
  "ne",
  "dra",
  "bel",
  "quin",
  "osh",
  "ul",
  "fen",
];

export function* syntheticUsers(count: number, batch: number): Generator<UserRecord[]> {
  const random = seededRandom(42);
  const word = (parts: number): string => {
    let text = "";
    for (let i = 0; i < parts; i++) text += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    return text[0]!.toUpperCase() + text.slice(1);
  };
  for (let start = 0; start < count; start += batch) {
    const users: UserRecord[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const firstName = word(random() < 0.5 ? 2 : 3);
      const lastName = word(3);
      users.push({
        id: `bench-${i}`,
        email: `${firstName}.${lastName}.${i}@example.com`.toLowerCase(),
        firstName,
        lastName,
        age: Math.floor(random() * 151),
        phone: "",
        address: `${i} Bench Road`,
      });
    }
    yield users;
  }
}
