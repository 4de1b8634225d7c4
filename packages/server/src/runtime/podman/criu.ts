import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";

/** Where `terrarium setup` installs the CRIU it builds, ahead of Debian's in /usr/sbin. */
export const LOCAL_SBIN = "/usr/local/sbin";

/**
 * The PATH under which runc (through Podman) looks for `criu`: this process's PATH, with
 * /usr/local/sbin moved ahead of /usr/sbin and /sbin so the CRIU that setup builds wins.
 */
export function criuSearchPath(path = process.env.PATH ?? ""): string {
  const isSystem = (d: string) => d === "/usr/sbin" || d === "/sbin";
  const given = path.split(":").filter(Boolean);
  const local = given.indexOf(LOCAL_SBIN);
  if (local !== -1 && !given.slice(0, local).some(isSystem)) return given.join(":");
  const dirs = given.filter((d) => d !== LOCAL_SBIN);
  const system = dirs.findIndex(isSystem);
  dirs.splice(system === -1 ? dirs.length : system, 0, LOCAL_SBIN);
  return dirs.join(":");
}

/** The `criu` that runc would run, or undefined when there is none. */
export function findCriu(path = criuSearchPath()): string | undefined {
  for (const dir of path.split(":")) {
    const file = join(dir, "criu");
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export type CriuCheck = { ok: true; criu: string } | { ok: false; criu?: string; error: string };

/** Runs `criu check` (by default the one runc would run): whether CRIU works on this kernel, and if not, why. */
export async function checkCriu(criu = findCriu()): Promise<CriuCheck> {
  if (!criu) return { ok: false, error: "CRIU is not installed" };
  return new Promise((resolve) => {
    execFile(criu, ["check"], { timeout: 60_000 }, (error, stdout, stderr) => {
      const output = `${stdout}\n${stderr}`;
      if (!error && /Looks good/.test(output)) return resolve({ ok: true, criu });
      const lines = output.split("\n").map((l) => l.trim());
      const first = lines.find((l) => /^Error\b/.test(l)) ?? lines.findLast(Boolean) ?? error?.message ?? "";
      resolve({ ok: false, criu, error: `\`${criu} check\` failed: ${first}` });
    });
  });
}
