/**
 * A gang station's slots on one PostgreSQL database: the pool gives each slot its own connection, so their
 * transactions really run at once (SQLite's slots share one connection and take turns; lib/cli/station/gang_test.ts).
 */
import { checkGangStore, withGangParts } from "../../lib/cli/station/gang_test_util.ts";
import { POSTGRES_UNAVAILABLE, startTestPostgres } from "../helpers/postgres.ts";

Deno.test({
  name: "gang: 8 slots x 20 boards in one process on one PostgreSQL database: every serial distinct, bound, no gaps",
  ignore: POSTGRES_UNAVAILABLE !== undefined,
  async fn() {
    const pg = await startTestPostgres();
    try {
      await withGangParts(pg.url, (parts) => checkGangStore(parts, 8, 20));
    } finally {
      await pg.destroy();
    }
  },
});
