import { Env } from "@terrarium/sdk";
import { loadConfig } from "@terrarium/server";
import { connectOrStart } from "../server-connection.js";
import { setup } from "./setup.js";

const say = (text: string) => process.stdout.write(`${text}\n`);
const ms = (since: number) => `${Date.now() - since} ms`;

/**
 * The README's main job: set up what is missing, use the server at TERRARIUM_URL or start one, then
 * walk a session of two fossil environments through its life, printing each step.
 */
export async function demo(): Promise<void> {
  const config = loadConfig();
  await setup({ simulators: ["fossil"], simulatorsDir: config.simulatorsDir });

  const connection = await connectOrStart(say, { pool: true });
  const { client } = connection;

  try {
    let t = Date.now();
    const session = await client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge" }), Env.simulator("fossil", { alias: "mirror" })],
    });
    say(`\nCreated session ${session.sessionId} in ${ms(t)}:`);
    for (const env of session.envs) say(`  ${env.alias.padEnd(7)} job ${env.jobId} (simulator ${env.simulator})`);

    t = Date.now();
    const listing = await session.execute(
      `c=$(fossil sql -R /data/project.fossil "SELECT count(*) FROM event WHERE type='ci'"); ` +
        `t=$(fossil sql -R /data/project.fossil "SELECT count(*) FROM ticket"); echo "$(hostname): $c commits, $t tickets"`,
    );
    say(`\nexecute on every environment (${ms(t)}):`);
    for (const [job, r] of Object.entries(listing.results))
      say(`  ${job} exit ${r.exitCode}: ${r.stdout.trim() || r.error || r.stderr.trim()}`);

    t = Date.now();
    const forge = session.getEnv("forge")!;
    const change = await forge.execute(
      "fossil ticket add -R /data/project.fossil title 'Demo: crash on empty input' status Open type Code_Defect >/dev/null && fossil sql -R /data/project.fossil 'SELECT count(*) FROM ticket'",
    );
    say(`\nforge: added a ticket with the fossil command (${ms(t)}); tickets now: ${change.stdout.trim()}`);
    const reach = await forge.execute(
      "bash -c 'exec 3<>/dev/tcp/mirror/8080; printf \"GET /timeline HTTP/1.0\\r\\nHost: mirror\\r\\n\\r\\n\" >&3; head -1 <&3'",
    );
    say(`forge -> http://mirror:8080/timeline over the session network: ${reach.stdout.trim()}`);

    const urls = await session.getPublicUrl();
    t = Date.now();
    const page = await fetch(new URL("/rptview?rn=1", urls.forge!.split("?")[0]));
    const open = /Demo: crash on empty input/.test(await page.text());
    say(
      `browser URL of forge: ${urls.forge} (GET /rptview?rn=1 through the proxy: ${page.status}, ${ms(t)}${open ? ", the new ticket is listed" : ""})`,
    );

    t = Date.now();
    const { results: state } = await session.getState();
    say(`\ngetState (${ms(t)}): what changed since the start, per environment:`);
    for (const env of session.envs) {
      const result = state[env.jobId]!;
      if (!result.state) {
        say(`  ${env.alias}: ${result.error}`);
        continue;
      }
      const changes = result.state.dbs.flatMap((db) => db.changes);
      const tables = [...new Set(changes.map((c) => `${c.table} ${c.op}`))].join(", ");
      say(`  ${env.alias.padEnd(7)}${changes.length} row change(s)${tables ? `: ${tables}` : ""}`);
      const ticket = changes.find((c) => c.table === "ticket");
      if (ticket) say(`           ticket #${ticket.pk.tkt_id}: "${ticket.after?.title}" (${ticket.after?.status})`);
    }

    t = Date.now();
    const snapshot = await forge.diskSnapshot();
    if (snapshot.artifactId) {
      say(`\ndisk snapshot of forge (${ms(t)}): artifact ${snapshot.artifactId}`);
      t = Date.now();
      const branch = await client.sessions.create({
        envs: [Env.artifact(snapshot.artifactId, { alias: "branch" })],
      });
      const env = branch.getEnv("branch")!;
      const tickets = await env.execute("fossil sql -R /data/project.fossil 'SELECT count(*) FROM ticket'");
      const since = (await env.getState()).dbs.flatMap((db) => db.changes).length;
      say(
        `a session from the artifact (${ms(t)}): ${tickets.stdout.trim()} tickets, the demo's included; ${since} changes since its start`,
      );
      await branch.close();
      await client.artifacts.remove(snapshot.artifactId);
    } else say(`\ndisk snapshot of forge failed: ${snapshot.error}`);

    t = Date.now();
    const reset = await session.reset();
    say(
      `\nreset (${ms(t)}): ${Object.entries(reset.results)
        .map(([job, r]) => `${job} ${r.success ? "ok" : `failed: ${r.error}`}`)
        .join(", ")}`,
    );
    const after = await forge.execute("fossil sql -R /data/project.fossil 'SELECT count(*) FROM ticket'");
    say(`forge: tickets after reset: ${after.stdout.trim()} (back to the seed)`);

    const saved = JSON.stringify(session.dump());
    say(`\nsession.dump() -> ${saved.length} bytes of JSON, loadable with Session.load()`);

    t = Date.now();
    const closed = await session.close();
    say(
      `closed (${ms(t)}): ${Object.values(closed.results).filter((r) => r.success).length} environments removed, network removed`,
    );

    // Meanwhile the warm pool made ready fossil environments: the next session starts at once.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    t = Date.now();
    const quick = await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "quick" })] });
    const hello = await quick.execute("hostname");
    say(
      `\na new fossil session, ready in ${ms(t)} (the warm pool keeps ready environments): ${Object.values(hello.results)[0]?.stdout.trim()}`,
    );
    await quick.close();
  } finally {
    await connection.close();
  }
}
