export {
  DEFAULT_SOURCE,
  DEFAULT_TARGET,
  DISTRIBUTIONS,
  type DistributionSpec,
  findDistribution,
} from "./distributions.ts";
export {
  KAFKA_VERSION,
  type KafkaBroker,
  type KafkaUpOptions,
  kafkaDown,
  kafkaRestart,
  kafkaUp,
} from "./kafka.ts";
export { sandboxHome } from "./paths.ts";
export { PLUGIN_SETS, type PluginSet } from "./plugin-zips.ts";
export { PLUGIN_DIR_ENV } from "./plugins.ts";
export {
  type Credentials,
  DEFAULT_NAME,
  type DownOptions,
  type NodeStatus,
  pluginSets,
  type SandboxStatus,
  sandboxDown,
  sandboxStatus,
  sandboxUp,
  type UpOptions,
} from "./sandbox.ts";
