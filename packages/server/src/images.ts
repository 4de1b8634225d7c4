import { createHash } from "node:crypto";

/** Label on every image Terrarium builds: the hash of the recipe it was built from. */
export const RECIPE_LABEL = "io.terrarium.recipe-hash";

/** The Debian base every simulator builds on (`FROM localhost/terrarium/base:bookworm`). */
export const BASE_IMAGE = "localhost/terrarium/base:bookworm";
export const BASE_SUITE = "bookworm";
/** Packages every environment has beyond minbase: libfaketime, the clock `set_date` moves. */
export const BASE_PACKAGES = ["libfaketime"];
export const BASE_RECIPE = {
  tool: "debootstrap --variant=minbase",
  suite: BASE_SUITE,
  components: ["bookworm", "bookworm-updates", "bookworm-security"],
  packages: BASE_PACKAGES,
  revision: 1,
};
export const BASE_RECIPE_HASH = createHash("sha256").update(JSON.stringify(BASE_RECIPE)).digest("hex").slice(0, 16);

export const simulatorImage = (name: string, tag: string) => `localhost/terrarium/${name}:${tag}`;
