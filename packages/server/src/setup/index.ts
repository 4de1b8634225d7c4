import { loadSimulators } from "../catalog/simulators.js";
import { baseImageStep } from "./base-image.js";
import { criuStep } from "./criu.js";
import { dockerStep } from "./docker.js";
import { packagesStep, podmanSettingsStep } from "./host.js";
import { simulatorImageStep } from "./simulator-image.js";
import type { SetupStep } from "./step.js";

export type { SetupStep, Report } from "./step.js";
export { HOST_PACKAGES, PODMAN_DROP_IN, missingPackages, podmanSettings } from "./host.js";
export { imageRecipe } from "./base-image.js";
export { simulatorImageStep } from "./simulator-image.js";

export interface SetupOptions {
  simulatorsDir: string;
  /** Simulators whose images to build; all when unset. */
  simulators?: string[];
  /** Rebuild simulator images even when their recipe did not change. */
  force?: boolean;
  /** Build every dataset of the simulators, not only `base` (the others are built on first use too). */
  datasets?: boolean;
}

/**
 * Everything a fresh Debian host needs, in order: packages, forwarding beside a Docker engine, Podman
 * settings, CRIU (optional: memory
 * snapshots), the base image, and the simulator images. Each step checks first, so running the set-up
 * again costs a few checks.
 */
export function setupSteps(options: SetupOptions): SetupStep[] {
  const steps: SetupStep[] = [packagesStep, dockerStep, podmanSettingsStep, criuStep, baseImageStep];
  const simulators = loadSimulators(options.simulatorsDir);
  const wanted = options.simulators ?? [...simulators.keys()];
  for (const name of wanted) {
    const simulator = simulators.get(name);
    if (!simulator) {
      throw new Error(`unknown simulator "${name}"; known simulators: ${[...simulators.keys()].join(", ") || "none"}`);
    }
    const datasets = options.datasets ? Object.keys(simulator.manifest.datasets) : [undefined];
    for (const dataset of datasets) steps.push(simulatorImageStep(simulator, { force: options.force, dataset }));
  }
  return steps;
}
