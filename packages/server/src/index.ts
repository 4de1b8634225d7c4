export { startServer, type TerrariumServer } from "./server.js";
export { loadConfig, defaultHome, defaultSimulatorsDir, DEFAULT_PORT, type ServerConfig } from "./config.js";
export { loadSimulators, loadSimulator, type Simulator } from "./services/simulators.js";
export { BASE_IMAGE, simulatorImage } from "./images.js";
export { LABELS } from "./services/sessions.js";
export * from "./setup/index.js";
export { webLogin, type LoginOutcome } from "./services/web-login.js";
