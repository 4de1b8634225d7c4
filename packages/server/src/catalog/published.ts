import { SimulatorManifest } from "@terrarium/wire";
import { simulatorImage } from "../images.js";
import type { Runtime } from "../runtime/runtime.js";
import type { PublishedFrom, Simulator } from "./simulators.js";

/** On an artifact's image: the artifact it belongs to, also on a version published from it. */
export const ARTIFACT_LABEL = "io.terrarium.artifact";
/**
 * On a disk artifact's image: the `simulator:tag` it was committed to be published as (empty when
 * not), so recovery knows which tag an interrupted snapshot or removal left, and no other.
 */
export const PUBLISHED_LABEL = "io.terrarium.published";
/**
 * On a published version's image: its {@link Publication}, as base64 JSON (a label value passes through
 * the commit's instruction parser, which must not see the manifest's own quotes and `$`). Empty when not
 * published.
 */
export const PUBLICATION_LABEL = "io.terrarium.publication";

/**
 * What a published version carries, so that a simulator published under a new name needs no folder
 * and survives restarts: the manifest of the simulator it was snapshotted from, and where it came from.
 */
export interface Publication {
  /** The simulator the environment ran, and its version. */
  from: { simulator: string; version: string };
  /** The simulator with a folder the chain of publications started from. */
  origin: string;
  /** The version published (the image tag without its dataset suffix) and the dataset. */
  version: string;
  dataset: string;
  publishedAt: string;
  /** The source simulator's manifest as it was then (its name is the source's). */
  manifest: SimulatorManifest;
}

export const encodePublication = (p: Publication): string => Buffer.from(JSON.stringify(p)).toString("base64");

function decodePublication(label: string | undefined): Publication | undefined {
  if (!label) return undefined;
  try {
    const value = JSON.parse(Buffer.from(label, "base64").toString("utf8")) as Publication;
    const manifest = SimulatorManifest.safeParse(value.manifest);
    return manifest.success ? { ...value, manifest: manifest.data } : undefined;
  } catch {
    return undefined;
  }
}

const REPOSITORIES = simulatorImage("*", "").slice(0, -1);

/**
 * The simulators published under names that have no folder, read from Podman's images (so they
 * survive restarts, also when another server sharing the host's Podman published them). Each keeps
 * its source's manifest: that of its newest version, under its own name, with the datasets published.
 */
export async function loadPublished(runtime: Runtime, folders: ReadonlySet<string>): Promise<Map<string, Simulator>> {
  const versions = new Map<string, { publication: Publication; artifactId: string }[]>();
  for (const image of await runtime.listImages(REPOSITORIES)) {
    const as = image.labels[PUBLISHED_LABEL];
    const publication = decodePublication(image.labels[PUBLICATION_LABEL]);
    if (!as || !publication) continue;
    const name = as.slice(0, as.indexOf(":"));
    // A version of a simulator with a folder is one of its tags; a published name removed is gone.
    if (folders.has(name) || !image.names.includes(simulatorImage(name, as.slice(name.length + 1)))) continue;
    const list = versions.get(name) ?? [];
    list.push({ publication, artifactId: image.labels[ARTIFACT_LABEL] ?? "" });
    versions.set(name, list);
  }
  const simulators = new Map<string, Simulator>();
  for (const [name, list] of versions) {
    list.sort((a, b) => a.publication.publishedAt.localeCompare(b.publication.publishedAt));
    const newest = list[list.length - 1]!;
    const { manifest, from, origin, version } = newest.publication;
    const datasets = Object.fromEntries(
      list.map(({ publication: p }) => [
        p.dataset,
        { description: `Published from ${p.from.simulator} ${p.from.version}` },
      ]),
    );
    const published: PublishedFrom = { ...from, origin, artifactId: newest.artifactId };
    simulators.set(name, { manifest: { ...manifest, name, version, datasets }, published });
  }
  return simulators;
}
