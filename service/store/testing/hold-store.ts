// Test helper process: opens the store on DATA_DIR (embedded SQLite), prints "ready" (or the error
// message and exits 3), then holds it until killed. Run: node --import tsx hold-store.ts
import { openStore } from "../store.js";

try {
  await openStore({ tenant: "acme", dataDir: process.env.DATA_DIR ?? "./data" });
  console.log("ready");
  setInterval(() => undefined, 60_000);
} catch (error) {
  console.log(`error: ${(error as Error).message}`);
  process.exit(3);
}
