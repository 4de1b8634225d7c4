/** Labels every container and network of ours carries; `instance` says which store owns it. */
export const LABELS = {
  managed: "io.terrarium.managed",
  instance: "io.terrarium.instance",
  session: "io.terrarium.session",
  job: "io.terrarium.job",
  alias: "io.terrarium.alias",
} as const;
