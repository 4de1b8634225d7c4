import type {
  EnvironmentInfo,
  EnvironmentSpec,
  ExecOptions,
  ExecOutcome,
  ImageInfo,
  NetworkInfo,
  Runtime,
} from "../runtime.js";
import { PodmanApiError, type PodmanClient } from "./client.js";
import { StreamDemuxer } from "./demux.js";
import { SESSION_INTERFACE_PREFIX } from "./firewall.js";

/** Exit statuses of coreutils' `timeout` when it had to stop the command (TERM, then KILL). */
const TIMEOUT_EXIT_CODES = new Set([124, 137]);
/** How long after the command's own timeout the server stops waiting for the exec stream. */
const EXEC_GRACE_MS = 10_000;

interface ContainerJson {
  Id: string;
  Name: string;
  State: { Running: boolean };
  Config: { Labels: Record<string, string> | null };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> | null };
}
interface ContainerListEntry {
  Id: string;
  Names: string[];
  State: string;
  Labels: Record<string, string> | null;
}

const labelFilters = (labels: Record<string, string>) =>
  JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });

/** Runs environments as Podman containers through the libpod REST API. */
export class PodmanRuntime implements Runtime {
  readonly name = "podman";

  constructor(
    private readonly client: PodmanClient,
    private readonly onClose: () => Promise<void> = async () => {},
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
    const list = await this.client.json<
      { Id: string; Names: string[] | null; Labels: Record<string, string> | null }[]
    >("GET", "/images/json", { query: { filters: JSON.stringify({ reference: [repository] }) } });
    return list.map((i) => ({ id: i.Id, names: i.Names ?? [], labels: i.Labels ?? {} }));
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
    const period = 100_000;
    const created = await this.client.json<{ Id: string }>("POST", "/containers/create", {
      body: {
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
      },
    });
    try {
      await this.client.json("POST", `/containers/${created.Id}/start`);
    } catch (error) {
      await this.removeEnvironment(created.Id);
      throw error;
    }
    return created.Id;
  }

  async removeEnvironment(id: string): Promise<void> {
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
      const address = Object.values(c.NetworkSettings.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress ?? null;
      return { id: c.Id, name: c.Name, running: c.State.Running, labels: c.Config.Labels ?? {}, address };
    } catch (error) {
      if (error instanceof PodmanApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async exec(id: string, command: string, options: ExecOptions): Promise<ExecOutcome> {
    const seconds = String(options.timeoutSeconds);
    const exec = await this.client.json<{ Id: string }>("POST", `/containers/${encodeURIComponent(id)}/exec`, {
      body: {
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: false,
        Tty: false,
        // coreutils' timeout signals the whole process group, so nothing the command started lingers.
        Cmd: ["timeout", "--kill-after=2", seconds, "/bin/sh", "-c", command],
      },
    });
    const started = Date.now();
    const demuxer = new StreamDemuxer(options.outputLimit);
    const abort = new AbortController();
    const backstop = setTimeout(() => abort.abort(), options.timeoutSeconds * 1000 + EXEC_GRACE_MS);
    let streamCut = false;
    try {
      const stream = await this.client.stream("POST", `/exec/${exec.Id}/start`, {
        body: { Detach: false, Tty: false },
        signal: abort.signal,
      });
      await new Promise<void>((resolve, reject) => {
        stream.on("data", (chunk: Buffer) => demuxer.push(chunk));
        stream.on("end", resolve);
        stream.on("error", reject);
      });
    } catch (error) {
      if (!abort.signal.aborted) throw error;
      streamCut = true;
    } finally {
      clearTimeout(backstop);
    }
    const base = { stdout: demuxer.stdout, stderr: demuxer.stderr, truncated: demuxer.truncated };
    if (streamCut) return { ...base, exitCode: null, timedOut: true };
    const info = await this.client.json<{ ExitCode: number }>("GET", `/exec/${exec.Id}/json`);
    const ranOutOfTime = Date.now() - started >= options.timeoutSeconds * 1000;
    if (TIMEOUT_EXIT_CODES.has(info.ExitCode) && ranOutOfTime) return { ...base, exitCode: null, timedOut: true };
    return { ...base, exitCode: info.ExitCode, timedOut: false };
  }

  async archive(id: string, path: string): Promise<Buffer> {
    const stream = await this.client.stream("GET", `/containers/${encodeURIComponent(id)}/archive`, {
      query: { path },
    });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
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
