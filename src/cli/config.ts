/** Loads the configuration for a CLI command; a ConfigError prints the message naming the variable and exits 1. */
import { ConfigError, loadConfig, type Config } from '../config.js';

export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}
