import { cliClient } from "../client.js";
import { printTable } from "../output.js";

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** `terrarium artifacts ls`: snapshots on the server, newest first. */
export async function listArtifacts(): Promise<void> {
  const client = cliClient();
  const artifacts = await client.artifacts.list();
  if (artifacts.length === 0) return void process.stdout.write("no artifacts (session.snapshot() makes some)\n");
  printTable(
    ["ARTIFACT", "KIND", "SIMULATOR", "PARENT", "SIZE", "PUBLISHED AS", "CREATED"],
    artifacts.map((a) => [
      a.artifactId,
      a.kind,
      `${a.simulator} ${a.version}`,
      a.parentArtifactId ?? "-",
      mib(a.size),
      a.publishedAs ?? "-",
      a.createdAt,
    ]),
  );
}

/** `terrarium artifacts show ID`: one artifact, its lineage and children. */
export async function showArtifact(id: string, options: { json: boolean }): Promise<void> {
  const client = cliClient();
  const a = await client.artifacts.retrieve(id);
  if (options.json) return void process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
  const lines = [
    `${a.artifactId}: ${a.kind} snapshot of ${a.simulator} ${a.version}`,
    `  created   ${a.createdAt}${a.sourceJobId ? ` from job ${a.sourceJobId}` : ""}`,
    `  image     ${a.image}`,
    ...(a.checkpoint ? [`  archive   ${a.checkpoint.file} (${a.checkpoint.compression})`] : []),
    `  size      ${mib(a.size)}`,
    `  sha256    ${a.sha256}`,
    ...(a.publishedAs ? [`  published ${a.publishedAs}`] : []),
    `  lineage   ${[a.artifactId, ...a.lineage.map((l) => (l.removed ? `${l.artifactId} (removed)` : l.artifactId))].join(" <- ")}`,
    `  children  ${a.children.join(", ") || "none"}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** `terrarium artifacts rm ID...`: removes artifacts, reporting each. */
export async function removeArtifacts(ids: string[]): Promise<void> {
  const client = cliClient();
  for (const id of ids) {
    try {
      await client.artifacts.remove(id);
      process.stdout.write(`${id}: removed\n`);
    } catch (error) {
      process.exitCode = 1;
      process.stderr.write(`${id}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

/** `terrarium sessions snapshot ID [--disk] [--publish name:version]`: one artifact per environment. */
export async function snapshotSession(id: string, options: { disk: boolean; publish?: string }): Promise<void> {
  const client = cliClient();
  let publish: { overrideService?: string; overrideVersion?: string } = {};
  if (options.publish) {
    const [service, version] = options.publish.includes(":")
      ? options.publish.split(":", 2)
      : [undefined, options.publish];
    publish = { ...(service ? { overrideService: service } : {}), overrideVersion: version };
  }
  const { results } =
    options.disk || options.publish
      ? await client.sessions.diskSnapshot(id, publish)
      : await client.sessions.snapshot(id);
  for (const [job, r] of Object.entries(results)) {
    if (!r.success) {
      process.exitCode = 1;
      process.stderr.write(`${job}: ${r.error}\n`);
      continue;
    }
    process.stdout.write(
      `${job}: ${r.artifactId} (${r.memory ? "memory" : "disk"})${r.publishedAs ? `, published as ${r.publishedAs}` : ""}\n`,
    );
  }
}
