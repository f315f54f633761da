/**
 * A throwaway PostgreSQL server for tests: `initdb` into a temporary folder, `pg_ctl start` on a free TCP port of
 * 127.0.0.1 with password authentication, a test role and database, and `pg_ctl stop` at the end. Run as the
 * `postgres` user through `runuser` when the tests run as root (initdb refuses root). CI installs the server
 * (scripts/install_test_deps.sh); where no PostgreSQL binaries exist the tests that need one are skipped with a
 * visible message.
 *
 * @module
 */

/** A running test server. */
export interface TestPostgres {
  /** `postgres://flash:PASSWORD@127.0.0.1:PORT/line`. */
  url: string;
  /** The role's password (tests check it never shows). */
  password: string;
  /** Stops the server (fast shutdown) — it can be started again. */
  stop(): Promise<void>;
  /** Starts it again after {@linkcode TestPostgres.stop}. */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  destroy(): Promise<void>;
}

/** The folder holding PostgreSQL's server programs (initdb, pg_ctl), newest version first; undefined if none. */
export function postgresBinDir(): string | undefined {
  const roots = ["/usr/lib/postgresql"];
  for (const root of roots) {
    let versions: string[] = [];
    try {
      versions = [...Deno.readDirSync(root)].map((e) => e.name).filter((n) => /^\d+$/.test(n));
    } catch {
      continue;
    }
    for (const version of versions.sort((a, b) => Number(b) - Number(a))) {
      try {
        Deno.statSync(`${root}/${version}/bin/initdb`);
        return `${root}/${version}/bin`;
      } catch {
        // try the next version
      }
    }
  }
  for (const folder of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      Deno.statSync(`${folder}/initdb`);
      return folder;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export const POSTGRES_UNAVAILABLE = postgresBinDir() === undefined
  ? "PostgreSQL server programs (initdb, pg_ctl) not found: install the Debian package 'postgresql'"
  : undefined;
if (POSTGRES_UNAVAILABLE) console.error(`SKIPPING PostgreSQL tests: ${POSTGRES_UNAVAILABLE}`);

const isRoot = Deno.uid() === 0;

async function run(program: string, args: string[], input?: string): Promise<string> {
  const command = isRoot ? "runuser" : program;
  const argv = isRoot ? ["-u", "postgres", "--", program, ...args] : args;
  const child = new Deno.Command(command, {
    args: argv,
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  }
  const result = await child.output();
  const text = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
  if (!result.success) throw new Error(`${program} ${args.join(" ")} failed: ${text}`);
  return text;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts a fresh server with role `flash` (a random password) owning database `line`. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(POSTGRES_UNAVAILABLE);
  const dir = await Deno.makeTempDir({ prefix: "flashrecipe-pg-" });
  await Deno.chmod(dir, 0o777);
  const data = `${dir}/data`;
  const port = freePort();
  const password = `pw-${crypto.randomUUID().slice(0, 8)}-Secret`;
  await Deno.writeTextFile(`${dir}/pwfile`, `${password}\n`);
  await Deno.chmod(`${dir}/pwfile`, 0o644);
  await run(`${bin}/initdb`, [
    "-D",
    data,
    "-U",
    "flash",
    "--pwfile",
    `${dir}/pwfile`,
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "-E",
    "UTF8",
  ]);
  const options =
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60 -c shared_buffers=16MB`;
  const start = () => run(`${bin}/pg_ctl`, ["-D", data, "-o", options, "-l", `${dir}/log`, "-w", "-t", "30", "start"]);
  const stop = () => run(`${bin}/pg_ctl`, ["-D", data, "-m", "fast", "-w", "stop"]);
  await start();
  try {
    await run(`${bin}/psql`, [
      "-h",
      dir,
      "-p",
      String(port),
      "-U",
      "flash",
      "-d",
      "postgres",
      "-q",
      "-c",
      "CREATE DATABASE line",
    ]);
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  let running = true;
  return {
    url: `postgres://flash:${password}@127.0.0.1:${port}/line`,
    password,
    async stop() {
      await stop();
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async destroy() {
      if (running) await stop().catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
  };
}
