import { join } from "node:path";
import { RECIPE_LABEL, simulatorImage } from "../images.js";
import type { Simulator } from "../catalog/simulators.js";
import { imageRecipe } from "./base-image.js";
import { runCommand } from "./command.js";
import type { SetupStep } from "./step.js";

/** Builds a simulator's image (tagged with its version and `latest`) when its recipe changed. */
export function simulatorImageStep(simulator: Simulator, options: { force?: boolean } = {}): SetupStep {
  const { manifest } = simulator;
  const image = simulatorImage(manifest.name, manifest.version);
  return {
    title: `Simulator image ${manifest.name} ${manifest.version}`,
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
          "--tag",
          image,
          "--tag",
          simulatorImage(manifest.name, "latest"),
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
