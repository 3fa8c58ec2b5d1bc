// Test helper process: opens the store on DATA_DIR (embedded SQLite), prints "ready" (or the error
// message and exits 3), then holds it until killed; SIGTERM closes the store (releasing its lock)
// and exits 0, as the service does. Run: node --import tsx hold-store.ts
import { openStore } from "../store.js";

try {
  const store = await openStore({ tenant: "acme", dataDir: process.env.DATA_DIR ?? "./data" });
  console.log("ready");
  const keepAlive = setInterval(() => undefined, 60_000);
  process.once("SIGTERM", () => {
    clearInterval(keepAlive);
    void store.close().then(() => process.exit(0));
  });
} catch (error) {
  console.log(`error: ${(error as Error).message}`);
  process.exit(3);
}
