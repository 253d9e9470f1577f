export {
  DEFAULT_SOURCE,
  DEFAULT_TARGET,
  DISTRIBUTIONS,
  type DistributionSpec,
  findDistribution,
} from "./distributions.ts";
export { KAFKA_VERSION, type KafkaBroker, type KafkaUpOptions, kafkaDown, kafkaUp } from "./kafka.ts";
export { sandboxHome } from "./paths.ts";
export {
  type Credentials,
  DEFAULT_NAME,
  type DownOptions,
  type NodeStatus,
  type SandboxStatus,
  sandboxDown,
  sandboxStatus,
  sandboxUp,
  type UpOptions,
} from "./sandbox.ts";
