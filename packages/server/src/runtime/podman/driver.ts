import type {
  EnvironmentInfo,
  EnvironmentSpec,
  ExecOptions,
  ExecOutcome,
  ImageInfo,
  NetworkInfo,
  Runtime,
} from "../runtime.js";
import { existsSync } from "node:fs";
import {
  AGENT_ENTRYPOINT,
  AGENT_LABEL,
  AGENT_PATH,
  AGENT_SCRIPT,
  AGENT_TOKEN_ENV,
  agentToken,
  execViaAgent,
  imageCommand,
  newAgentToken,
  wrappedByAgent,
  type AgentTarget,
} from "./agent.js";
import { checkpoint, checkpointSupport, restore, resumeIfCheckpointed, type CheckpointSupport } from "./checkpoint.js";
import { execFile } from "node:child_process";
import { realpathSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { PodmanApiError, type PodmanClient } from "./client.js";
import { SESSION_INTERFACE_PREFIX } from "./firewall.js";
import { podmanExec } from "./podman-exec.js";

/** Podman's init (catatonit), resolved; undefined leaves Podman its default. */
const INIT_PATH = (() => {
  try {
    return realpathSync("/usr/libexec/podman/catatonit");
  } catch {
    return undefined;
  }
})();

interface ContainerJson {
  Id: string;
  Name: string;
  State: { Running: boolean };
  Config: { Labels: Record<string, string> | null; Env: string[] | null };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> | null };
}
interface ImageJson {
  Id: string;
  Config: {
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Env?: string[] | null;
    Labels?: Record<string, string> | null;
  };
}
/** How containers of one image start. */
interface Launch {
  /** The image's own command, without an agent wrapper a commit kept. */
  command: string[];
  /** The image's entrypoint is the agent's (a commit kept it): containers without it need their own. */
  wrapped: boolean;
  /** The image's environment holds an old agent token (a commit kept it). */
  staleToken: boolean;
  /** Whether containers run the exec agent; undefined until a first container shows whether it has perl. */
  agent: boolean | undefined;
}
interface ContainerListEntry {
  Id: string;
  Names: string[];
  State: string;
  Labels: Record<string, string> | null;
}

const labelFilters = (labels: Record<string, string>) =>
  JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });

const addressOf = (c: ContainerJson) =>
  Object.values(c.NetworkSettings.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress ?? null;

/** Runs environments as Podman containers through the libpod REST API. */
export class PodmanRuntime implements Runtime {
  readonly name = "podman";
  /** Per container: what setting its host name needs (a container's process and files do not move). */
  private readonly hostFiles = new Map<
    string,
    { pid: number; hostname: string; hostnamePath?: string; hostsPath?: string }
  >();
  /** By image id. */
  private readonly launches = new Map<string, Launch>();
  /** Each container's exec agent, by container id; null for a container without one. */
  private readonly agents = new Map<string, AgentTarget | null>();

  constructor(
    private readonly client: PodmanClient,
    private readonly onClose: () => Promise<void> = async () => {},
    /** Whether environments start with the exec agent (the fast `execute`) where their image allows it. */
    private readonly execAgent = true,
    /** The `criu` memory snapshots use; default the first in the Podman service's PATH. */
    private readonly criu?: string,
  ) {}

  async version(): Promise<string> {
    const info = await this.client.json<{ Version: string }>("GET", "/version");
    return info.Version;
  }

  async imageExists(image: string): Promise<boolean> {
    try {
      await this.client.json("GET", `/images/${encodeURIComponent(image)}/exists`);
      return true;
    } catch (error) {
      if (error instanceof PodmanApiError && error.status === 404) return false;
      throw error;
    }
  }

  async listImages(repository: string): Promise<ImageInfo[]> {
    // Podman 4.3 answers 500 when an image goes away while it lists (another server removing an
    // artifact's image): a listing a moment later is whole again.
    for (let attempt = 1; ; attempt++) {
      try {
        const list = await this.client.json<
          { Id: string; Names: string[] | null; Labels: Record<string, string> | null }[]
        >("GET", "/images/json", { query: { filters: JSON.stringify({ reference: [repository] }) } });
        return list.map((i) => ({ id: i.Id, names: i.Names ?? [], labels: i.Labels ?? {} }));
      } catch (error) {
        if (!(error instanceof PodmanApiError && error.status >= 500) || attempt >= 4) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  async createNetwork(name: string, labels: Record<string, string>): Promise<void> {
    await this.client.json("POST", "/networks/create", {
      body: {
        name,
        driver: "bridge",
        // The interface prefix is what the host firewall keys on to keep environments off the host.
        network_interface: `${SESSION_INTERFACE_PREFIX}${name.slice(-12)}`,
        dns_enabled: true,
        // netavark drops traffic between isolated networks: sessions cannot reach each other.
        options: { isolate: "true" },
        labels,
      },
    });
  }

  async removeNetwork(name: string): Promise<void> {
    try {
      await this.client.json("DELETE", `/networks/${encodeURIComponent(name)}`, { query: { force: true } });
    } catch (error) {
      if (!(error instanceof PodmanApiError && error.status === 404)) throw error;
    }
  }

  async startEnvironment(spec: EnvironmentSpec): Promise<string> {
    const launch = await this.launchOf(spec.image);
    let id = await this.create(spec, launch, launch.agent !== false);
    try {
      if (launch.agent === undefined) {
        launch.agent = await this.hasFile(id, AGENT_ENTRYPOINT[0]!);
        if (!launch.agent) {
          await this.removeEnvironment(id);
          id = await this.create(spec, launch, false);
        }
      }
      await this.client.json("POST", `/containers/${id}/start`);
    } catch (error) {
      await this.removeEnvironment(id);
      throw error;
    }
    return id;
  }

  /**
   * How containers of an image start, known once per image id. With the exec agent, the agent is the
   * entrypoint (it starts its daemon, then execs the image's own command), mounted read-only from the
   * host, with a fresh token in the environment. Images without perl, or labelled
   * `io.terrarium.exec-agent=off`, start as they are (execute then goes through podman exec).
   */
  private async launchOf(image: string): Promise<Launch> {
    const info = await this.client.json<ImageJson>("GET", `/images/${encodeURIComponent(image)}/json`);
    const known = this.launches.get(info.Id);
    if (known) return known;
    const command = imageCommand(info.Config);
    const launch: Launch = {
      command,
      wrapped: wrappedByAgent(info.Config.Entrypoint),
      staleToken: agentToken(info.Config.Env) !== undefined,
      agent:
        this.execAgent && info.Config.Labels?.[AGENT_LABEL] !== "off" && command.length > 0 && existsSync(AGENT_SCRIPT)
          ? undefined
          : false,
    };
    this.launches.set(info.Id, launch);
    return launch;
  }

  private async create(spec: EnvironmentSpec, launch: Launch, withAgent: boolean): Promise<string> {
    const period = 100_000;
    const start = withAgent
      ? {
          entrypoint: AGENT_ENTRYPOINT,
          command: launch.command,
          env: { [AGENT_TOKEN_ENV]: newAgentToken() },
          mounts: [{ type: "bind", source: AGENT_SCRIPT, destination: AGENT_PATH, options: ["ro"] }],
        }
      : {
          ...(launch.wrapped ? { entrypoint: launch.command, command: [] } : {}),
          ...(launch.staleToken ? { env: { [AGENT_TOKEN_ENV]: "" } } : {}),
        };
    const created = await this.client.json<{ Id: string }>("POST", "/containers/create", {
      body: {
        ...start,
        name: spec.name,
        image: spec.image,
        hostname: spec.alias,
        labels: spec.labels,
        netns: { nsmode: "bridge" },
        Networks: { [spec.network]: { aliases: [spec.alias] } },
        resource_limits: {
          memory: { limit: spec.memoryBytes },
          cpu: { quota: Math.round(spec.cpus * period), period },
          pids: { limit: 4096 },
        },
        stop_timeout: 5,
        init: true,
        // The init by its real path: CRIU cannot restore a bind mount of a symlink (Debian's
        // /usr/libexec/podman/catatonit is one), so a container mounting it could not be resumed.
        ...(INIT_PATH ? { init_path: INIT_PATH } : {}),
      },
    });
    return created.Id;
  }

  /** Whether a created container's filesystem has `path`. */
  private async hasFile(id: string, path: string): Promise<boolean> {
    try {
      await this.client.json("HEAD", `/containers/${encodeURIComponent(id)}/archive`, { query: { path } });
      return true;
    } catch (error) {
      if (error instanceof PodmanApiError && error.status === 404) return false;
      throw error;
    }
  }

  async connectNetwork(network: string, id: string, alias: string): Promise<void> {
    this.agents.delete(id); // its address changes
    await this.client.send("POST", `/networks/${encodeURIComponent(network)}/connect`, {
      body: { container: id, aliases: [alias] },
    });
  }

  async disconnectNetwork(network: string, id: string): Promise<void> {
    this.agents.delete(id);
    try {
      await this.client.send("POST", `/networks/${encodeURIComponent(network)}/disconnect`, {
        body: { container: id, force: true },
      });
    } catch (error) {
      if (!(error instanceof PodmanApiError && (error.status === 404 || /not connected/i.test(error.message))))
        throw error;
    }
  }

  async renameEnvironment(id: string, name: string): Promise<void> {
    await this.client.json("POST", `/containers/${encodeURIComponent(id)}/rename`, { query: { name } });
  }

  async setHostname(id: string, hostname: string): Promise<void> {
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$/.test(hostname)) throw new Error(`"${hostname}" is not a host name`);
    let c = this.hostFiles.get(id);
    if (!c) {
      const info = await this.client.json<{
        State: { Pid: number };
        Config: { Hostname: string };
        HostnamePath?: string;
        HostsPath?: string;
      }>("GET", `/containers/${encodeURIComponent(id)}/json`);
      c = {
        pid: info.State.Pid,
        hostname: info.Config.Hostname,
        hostnamePath: info.HostnamePath,
        hostsPath: info.HostsPath,
      };
      this.hostFiles.set(id, c);
    }
    const { pid, hostnamePath, hostsPath } = c;
    const previous = c.hostname;
    // The kernel's name lives in the environment's UTS namespace: set it from the host, with the
    // host's tool, so the environment needs no privilege for it.
    await Promise.all([
      new Promise<void>((resolve, reject) =>
        execFile("nsenter", ["-t", String(pid), "-u", "hostname", hostname], (error, _out, stderr) =>
          error ? reject(new Error(`cannot set the host name: ${stderr.trim() || error.message}`)) : resolve(),
        ),
      ),
      hostnamePath ? writeFile(hostnamePath, `${hostname}\n`) : undefined,
      hostsPath && previous
        ? readFile(hostsPath, "utf8").then((text) =>
            writeFile(
              hostsPath,
              text.replace(new RegExp(`(?<=\\s)${previous.replace(/[.]/g, "\\.")}(?=\\s|$)`, "gm"), hostname),
            ),
          )
        : undefined,
    ]);
    c.hostname = hostname;
  }

  async removeEnvironment(id: string): Promise<void> {
    this.hostFiles.delete(id);
    this.agents.delete(id);
    try {
      await this.client.json("DELETE", `/containers/${encodeURIComponent(id)}`, {
        query: { force: true, timeout: 0, v: true },
      });
    } catch (error) {
      if (!(error instanceof PodmanApiError && error.status === 404)) throw error;
    }
  }

  async inspectEnvironment(id: string): Promise<EnvironmentInfo | undefined> {
    try {
      const c = await this.client.json<ContainerJson>("GET", `/containers/${encodeURIComponent(id)}/json`);
      return { id: c.Id, name: c.Name, running: c.State.Running, labels: c.Config.Labels ?? {}, address: addressOf(c) };
    } catch (error) {
      if (error instanceof PodmanApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * Runs the command through the environment's exec agent, or through podman exec when it has none or
   * the agent does not take the connection (an environment from before the agent, or one whose agent
   * died). An agent that takes the connection and then fails is an error: the command may have run.
   */
  async exec(id: string, command: string, options: ExecOptions): Promise<ExecOutcome> {
    const agent = await this.agentOf(id);
    const outcome = agent && (await execViaAgent(agent, command, options));
    if (outcome) return outcome;
    if (agent) this.agents.delete(id); // asked again next time: the address may have changed
    return podmanExec(this.client, id, command, options);
  }

  /** The container's exec agent: its address and token, read back from the container's config. */
  private async agentOf(id: string): Promise<AgentTarget | undefined> {
    const known = this.agents.get(id);
    if (known !== undefined) return known ?? undefined;
    let c: ContainerJson;
    try {
      c = await this.client.json<ContainerJson>("GET", `/containers/${encodeURIComponent(id)}/json`);
    } catch (error) {
      if (error instanceof PodmanApiError && error.status === 404) return undefined;
      throw error;
    }
    const token = agentToken(c.Config.Env);
    const address = addressOf(c);
    if (token && !address) return undefined; // not running: asked again next time
    if (this.agents.size > 4096) this.agents.clear();
    const agent = token && address ? { token, address } : null;
    this.agents.set(id, agent);
    return agent ?? undefined;
  }

  async archive(id: string, path: string): Promise<Buffer> {
    const stream = await this.client.stream("GET", `/containers/${encodeURIComponent(id)}/archive`, {
      query: { path },
    });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  checkpointSupport(): Promise<CheckpointSupport> {
    return checkpointSupport(this.client, this.criu);
  }

  async checkpoint(id: string, archivePath: string): Promise<void> {
    await this.closeConnections(id);
    return checkpoint(this.client, id, archivePath);
  }

  /**
   * Closes the environment's open TCP connections (clients' keep-alive connections, the proxy's):
   * CRIU cannot checkpoint them into an archive clones can be made from. Clients see a reset and
   * connect again; listening sockets stay.
   */
  private async closeConnections(id: string): Promise<void> {
    const { State } = await this.client.json<{ State: { Pid: number } }>(
      "GET",
      `/containers/${encodeURIComponent(id)}/json`,
    );
    await new Promise<void>((resolve, reject) =>
      execFile("nsenter", ["-t", String(State.Pid), "-n", "ss", "-K", "-tn", "state", "connected"], (error, _o, err) =>
        error
          ? reject(new Error(`cannot close the environment's connections: ${err.trim() || error.message}`))
          : resolve(),
      ),
    );
  }

  resumeCheckpointed(id: string): Promise<boolean> {
    return resumeIfCheckpointed(this.client, id);
  }

  restore(archivePath: string, spec: EnvironmentSpec): Promise<string> {
    return restore(this.client, archivePath, spec);
  }

  async commit(id: string, image: string, labels: Record<string, string>): Promise<{ imageId: string; size: number }> {
    const container = await this.client.json<{ Image: string }>("GET", `/containers/${encodeURIComponent(id)}/json`);
    // The image keeps how its source image starts: whatever the runtime wrapped around that at create
    // (an init, an exec agent) is added again when a container is made from the new image.
    const source = await this.client.json<{ Config: { Entrypoint?: string[] | null; Cmd?: string[] | null } }>(
      "GET",
      `/images/${encodeURIComponent(container.Image)}/json`,
    );
    const changes = [
      `ENTRYPOINT ${JSON.stringify(source.Config.Entrypoint ?? [])}`,
      `CMD ${JSON.stringify(source.Config.Cmd ?? [])}`,
      ...Object.entries(labels).map(([k, v]) => `LABEL ${k}=${JSON.stringify(v)}`),
    ];
    const colon = image.lastIndexOf(":");
    const committed = await this.client.json<{ Id: string }>("POST", "/commit", {
      query: {
        container: id,
        repo: image.slice(0, colon),
        tag: image.slice(colon + 1),
        pause: true,
        format: "oci",
        changes,
      },
    });
    const info = await this.client.json<{ Size: number }>("GET", `/images/${committed.Id}/json`);
    return { imageId: committed.Id, size: info.Size };
  }

  async tagImage(image: string, name: string): Promise<void> {
    const colon = name.lastIndexOf(":");
    await this.client.json("POST", `/images/${encodeURIComponent(image)}/tag`, {
      query: { repo: name.slice(0, colon), tag: name.slice(colon + 1) },
    });
  }

  async removeImage(name: string): Promise<void> {
    const colon = name.lastIndexOf(":");
    let image: { Id: string; RepoTags: string[] | null };
    try {
      image = await this.client.json("GET", `/images/${encodeURIComponent(name)}/json`);
      await this.client.json("POST", `/images/${image.Id}/untag`, {
        query: { repo: name.slice(0, colon), tag: name.slice(colon + 1) },
      });
    } catch (error) {
      if (error instanceof PodmanApiError && error.status === 404) return;
      throw error;
    }
    // With its last name gone the image goes too, unless a container still runs on it (it is then
    // removed as a dangling image by `podman image prune`).
    if ((image.RepoTags ?? []).filter((t) => t !== name).length === 0)
      await this.client.json("DELETE", `/images/${image.Id}`).catch(() => undefined);
  }

  async imageId(name: string): Promise<string | undefined> {
    try {
      return (await this.client.json<{ Id: string }>("GET", `/images/${encodeURIComponent(name)}/json`)).Id;
    } catch (error) {
      if (error instanceof PodmanApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async listEnvironments(labels: Record<string, string>): Promise<EnvironmentInfo[]> {
    const list = await this.client.json<ContainerListEntry[]>("GET", "/containers/json", {
      query: { all: true, filters: labelFilters(labels) },
    });
    return list.map((c) => ({
      id: c.Id,
      name: c.Names[0] ?? c.Id,
      running: c.State === "running",
      labels: c.Labels ?? {},
      address: null,
    }));
  }

  async listNetworks(labels: Record<string, string>): Promise<NetworkInfo[]> {
    const list = await this.client.json<{ name: string; labels: Record<string, string> | null }[]>(
      "GET",
      "/networks/json",
      {
        query: { filters: labelFilters(labels) },
      },
    );
    return list.map((n) => ({ name: n.name, labels: n.labels ?? {} }));
  }

  async close(): Promise<void> {
    await this.onClose();
  }
}
