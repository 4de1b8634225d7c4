import { defaultSimulatorsDir, setupSteps } from "@terrarium/server";
import { runSteps } from "../progress.js";

export interface SetupCommandOptions {
  simulators?: string[];
  force?: boolean;
  simulatorsDir?: string;
  /** Every dataset of the simulators, not only `base`. */
  datasets?: boolean;
}

/** Installs what is missing: packages, Podman settings, base image, simulator images. */
export async function setup(options: SetupCommandOptions = {}): Promise<void> {
  const simulatorsDir = options.simulatorsDir ?? process.env.TERRARIUM_SIMULATORS_DIR ?? defaultSimulatorsDir();
  await runSteps(
    setupSteps({ simulatorsDir, simulators: options.simulators, force: options.force, datasets: options.datasets }),
  );
}
