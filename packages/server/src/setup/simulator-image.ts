import { join } from "node:path";
import { DEFAULT_DATASET } from "@terrarium/wire";
import { RECIPE_LABEL, simulatorImage } from "../images.js";
import { DATASET_LABEL, datasetTag } from "../catalog/datasets.js";
import type { SimulatorFolder } from "../catalog/simulators.js";
import { imageRecipe } from "./base-image.js";
import { runCommand } from "./command.js";
import type { SetupStep } from "./step.js";

/**
 * Builds a simulator's image of one dataset (default `base`), tagged with its version and `latest`
 * (`<version>-<dataset>` and `latest-<dataset>` for another dataset), when its recipe changed. A
 * dataset is the same Containerfile built with `--build-arg DATASET=<name>`: the layers before the
 * seed's are shared.
 */
export function simulatorImageStep(
  simulator: SimulatorFolder,
  options: { force?: boolean; dataset?: string } = {},
): SetupStep {
  const { manifest } = simulator;
  const dataset = options.dataset ?? DEFAULT_DATASET;
  const image = simulatorImage(manifest.name, datasetTag(manifest.version, dataset));
  // The base dataset is built as it was before datasets existed, so its layers stay cached.
  const datasetArgs =
    dataset === DEFAULT_DATASET ? [] : ["--build-arg", `DATASET=${dataset}`, "--label", `${DATASET_LABEL}=${dataset}`];
  return {
    title: `Simulator image ${manifest.name} ${manifest.version}${dataset === DEFAULT_DATASET ? "" : ` (dataset ${dataset})`}`,
    async check() {
      if (options.force) return "rebuild requested";
      const recipe = await imageRecipe(image);
      if (recipe === simulator.recipeHash) return undefined;
      return recipe === undefined ? "not built yet" : "its recipe changed";
    },
    async run(report, signal) {
      await runCommand(
        "podman",
        [
          "build",
          "--layers",
          "--label",
          `${RECIPE_LABEL}=${simulator.recipeHash}`,
          ...datasetArgs,
          "--tag",
          image,
          "--tag",
          simulatorImage(manifest.name, datasetTag("latest", dataset)),
          "--file",
          join(simulator.dir, manifest.image.containerfile),
          simulator.dir,
        ],
        {
          signal,
          onLine: (line) => {
            const step = /^STEP (\d+)\/(\d+)/.exec(line);
            report(line, step ? (Number(step[1]) - 1) / Number(step[2]) : undefined);
          },
        },
      );
    },
  };
}
