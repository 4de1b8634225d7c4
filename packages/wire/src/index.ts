export * from "./errors.js";
export * from "./ids.js";
export * from "./sessions.js";
export * from "./simulators.js";
export * from "./health.js";
export * from "./state.js";
export * from "./public.js";
export * from "./tasks.js";
