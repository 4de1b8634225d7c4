import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BASE_IMAGE, BASE_PACKAGES, BASE_RECIPE_HASH, BASE_SUITE, RECIPE_LABEL } from "../images.js";
import { runCommand } from "./command.js";
import type { SetupStep } from "./step.js";

/** The recipe label of an image, or undefined when the image does not exist. */
export async function imageRecipe(image: string): Promise<string | undefined> {
  try {
    const out = await runCommand("podman", [
      "image",
      "inspect",
      "--format",
      `{{index .Labels "${RECIPE_LABEL}"}}`,
      image,
    ]);
    return out.trim();
  } catch {
    return undefined;
  }
}

/** The Debian mirrors this host uses (so builds work where only a local mirror is reachable). */
export function debianMirrors(): { main: string; security: string } {
  const texts: string[] = [];
  for (const dir of ["/etc/apt/sources.list.d"]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (/\.(list|sources)$/.test(f)) texts.push(readFileSync(join(dir, f), "utf8"));
  }
  if (existsSync("/etc/apt/sources.list")) texts.push(readFileSync("/etc/apt/sources.list", "utf8"));
  const uris = texts.flatMap((t) =>
    [...t.matchAll(/(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(https?:\/\/\S+)/g)].map((m) => m[1]!),
  );
  const main = uris.find((u) => /\/debian\/?$/.test(u)) ?? "http://deb.debian.org/debian";
  const security =
    uris.find((u) => /\/debian-security\/?$/.test(u)) ?? main.replace(/\/debian\/?$/, "/debian-security");
  return { main: main.replace(/\/$/, ""), security: security.replace(/\/$/, "") };
}

export const baseImageStep: SetupStep = {
  title: `Debian base image (${BASE_IMAGE})`,
  async check() {
    const recipe = await imageRecipe(BASE_IMAGE);
    if (recipe === BASE_RECIPE_HASH) return undefined;
    return recipe === undefined ? "not built yet" : "its recipe changed";
  },
  async run(report, signal) {
    const { main, security } = debianMirrors();
    const work = mkdtempSync("/var/tmp/terrarium-base-");
    const rootfs = join(work, "rootfs");
    try {
      let packages = 0;
      report(`debootstrap ${BASE_SUITE} from ${main}`, 0);
      await runCommand(
        "debootstrap",
        ["--variant=minbase", `--include=${BASE_PACKAGES.join(",")}`, BASE_SUITE, rootfs, main],
        {
          signal,
          onLine: (line) => {
            // minbase unpacks and configures about 90 packages each.
            if (/^I: (Unpacking|Configuring) /.test(line)) packages++;
            report(line, Math.min(0.95, packages / 180));
          },
        },
      );
      writeFileSync(
        join(rootfs, "etc/apt/sources.list"),
        [
          `deb ${main} ${BASE_SUITE} main`,
          `deb ${main} ${BASE_SUITE}-updates main`,
          `deb ${security} ${BASE_SUITE}-security main`,
          "",
        ].join("\n"),
      );
      for (const dir of ["var/cache/apt/archives", "var/lib/apt/lists"]) {
        for (const f of readdirSync(join(rootfs, dir)))
          if (f !== "partial" && f !== "lock") rmSync(join(rootfs, dir, f), { recursive: true, force: true });
      }
      report(`importing into ${BASE_IMAGE}`, 0.96);
      await importRootfs(rootfs, signal);
      report("done", 1);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};

async function importRootfs(rootfs: string, signal?: AbortSignal): Promise<void> {
  const archive = join(rootfs, "..", "rootfs.tar");
  await runCommand("tar", ["-C", rootfs, "-cf", archive, "."], { signal });
  await runCommand(
    "podman",
    [
      "import",
      "--change",
      `LABEL ${RECIPE_LABEL}=${BASE_RECIPE_HASH}`,
      "--change",
      'CMD ["/bin/bash"]',
      archive,
      BASE_IMAGE,
    ],
    { signal },
  );
}
