import assert from "node:assert/strict";
import { isPostgresUrl, passwordOf, redactSecrets, redactUrl } from "./redact.ts";

Deno.test("database URLs lose their password in every message", () => {
  assert.equal(isPostgresUrl("postgresql://a@b/c"), true);
  assert.equal(isPostgresUrl("line.db"), false);
  assert.equal(redactUrl("postgres://flash:s3cr%40t@db1:5432/line"), "postgres://flash:***@db1:5432/line");
  assert.equal(redactUrl("postgres://db1/line?user=a&password=pw&x=1"), "postgres://db1/line?user=a&password=***&x=1");
  assert.equal(redactUrl("postgres://flash@db1/line"), "postgres://flash@db1/line");
  assert.equal(passwordOf("postgres://flash:s3cr%40t@db1/line"), "s3cr@t");
  assert.equal(passwordOf("postgres://db1/line?password=pw"), "pw");
  assert.equal(passwordOf("postgres://flash@db1/line"), undefined);
  assert.equal(redactSecrets("auth failed for s3cr@t (s3cr%40t)", ["s3cr@t"]), "auth failed for *** (***)");
  assert.equal(redactSecrets("see postgres://u:pw@h/d now", []), "see postgres://u:***@h/d now");
});
