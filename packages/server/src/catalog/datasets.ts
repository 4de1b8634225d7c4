import { DEFAULT_DATASET } from "@terrarium/wire";

/**
 * On a simulator image: the dataset (variant of the seed data) it holds. An image without it holds
 * `base`, as every image built before datasets existed does.
 */
export const DATASET_LABEL = "io.terrarium.dataset";

/**
 * A dataset is an image of its own: the `base` dataset of a tag is the tag itself, any other dataset
 * `<tag>-<dataset>` (e.g. `latest-blank`, `1.1.0-blank`). Being an image, it pools, resets and gets a
 * ready artifact like any other without a step at boot.
 */
export const datasetTag = (tag: string, dataset: string = DEFAULT_DATASET): string =>
  dataset === DEFAULT_DATASET ? tag : `${tag}-${dataset}`;

/** The dataset an image holds, by its labels. */
export const datasetOf = (labels: Record<string, string>): string => labels[DATASET_LABEL] || DEFAULT_DATASET;
