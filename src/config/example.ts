/**
 * The commented migration file `bluegreen init` writes. Every setting is shown with its default, so the
 * file doubles as reference documentation; a unit test keeps it parseable.
 */
export function exampleConfig(): string {
  return EXAMPLE;
}

const EXAMPLE = `# bluegreen migration file. Reference: every setting below is shown with its default.
# Values may use \${VAR} or \${VAR:-default} to read the environment; write $\${ for a literal "\${".
# Durations are written "500ms", "30s", "5m", "1h" (a plain number means milliseconds).

version: 1              # schema version of this file
name: my-upgrade        # migration name: lowercase, digits, "-" and "_"; keys the state file

# The cluster you are upgrading from ("blue").
source:
  url: http://127.0.0.1:9200        # or: urls: [https://node1:9200, https://node2:9200]
  # name: source                    # label used in logs and messages
  auth:
    type: none                      # none | basic | sigv4
    # --- basic: give the password exactly one way ---
    # type: basic
    # username: admin
    # password: \${SOURCE_PASSWORD}   # substituted from the environment
    # passwordEnv: SOURCE_PASSWORD   # ...or name the variable
    # passwordFile: ./source.password # ...or read a file (trailing newline dropped)
    # --- sigv4 (Amazon OpenSearch Service); https only ---
    # type: sigv4
    # region: eu-west-1
    # service: es                    # es | aoss
    # accessKeyId: \${AWS_ACCESS_KEY_ID}        # optional: default is the AWS_* environment
    # secretAccessKey: \${AWS_SECRET_ACCESS_KEY}
  tls:                              # only for https:// URLs
    insecure: false                 # true skips certificate checks; never do this in production
    # ca: ./ca.pem                  # trusted CA bundle (PEM); replaces the system roots
    # cert: ./client.pem            # client certificate for mutual TLS...
    # key: ./client-key.pem         # ...and its private key
    # servername: opensearch.internal   # name to verify when it differs from the URL host
  requestTimeout: 30s
  retry:                            # for transient failures (timeouts, 429, 503)
    maxAttempts: 5
    initialDelay: 200ms
    maxDelay: 10s

# The cluster you are upgrading to ("green"). Same settings as source; it must be a different cluster.
target:
  url: http://127.0.0.1:9201
  auth:
    type: none

# Which indices to migrate: glob patterns with * and ?; exclude wins over include.
indices:
  include: ["*"]
  exclude: []
  includeHidden: false              # dot-prefixed and hidden indices are skipped unless true

# Progress is kept in this SQLite file so any step can resume after a crash.
state:
  path: .bluegreen/my-upgrade.db    # relative to this file's directory

prepare:
  templates: true                   # copy index and component templates to the target
  prune: false                      # delete target indices missing on the source (destructive)
  overrides: []                     # e.g. [{ index: "logs-*", shards: 3, replicas: 1 }]; first match wins
  backfillTuning: false             # new indices start with refresh -1 and 0 replicas until backfill ends

backfill:
  method: auto                      # auto | snapshot | reindex | stream
  # batchSize: 2000                 # documents per read; unset: stream 2000 (pages also stop at ~2 MiB), reindex 1000
  concurrency: 2                    # indices copied in parallel
  # repository: migration-repo      # snapshot repository on both clusters (required by snapshot)
  # snapshot:                       # snapshot/restore (all optional)
  #   location: /mnt/repo/bluegreen # fs folder in both clusters' path.repo, when no repository is named
  #   repositoryType: s3            # register \`repository\` with this type/settings if neither cluster has it
  #   repositorySettings: { bucket: my-bucket }
  #   indexSettings: { index.refresh_interval: 30s }   # index_settings applied by the restore
  #   replicas: 1                   # replicas after restore (default: the source index's)
  #   keepSnapshot: false           # keep the snapshots bluegreen took
  # reindex:                        # remote reindex (all optional)
  #   sourceUrl: http://old:9200    # the source as the target's nodes reach it (default: source url)
  #   rangeDocs: 1000000            # split larger indices into query ranges, one task each
  #   rangeField: "@timestamp"      # numeric/date field to split on (default: first in the mapping)
  #   maxTasks: 4                   # _reindex tasks at once per index
  #   requestsPerSecond: -1         # throttle per task; -1 = unthrottled
  # rename: { pattern: "^(.*)$", replacement: "$1-v2" }   # target index names
  # autoOrder: [snapshot, stream, reindex]                # methods auto tries, in order (reindex re-encodes numbers)
  stream:                           # the streaming copier (method stream)
    readers: 2                      # slices read in parallel per process (one slice per shard unless slices is set)
    bulkBytes: 2097152              # starting _bulk size in bytes (adapted while copying)
    bulkConcurrency: 4              # most _bulk requests in flight (adapted while copying)
    # docsPerSecond: 5000           # throttle; or mbPerSecond: 20
    # transform: ./transform.mjs    # default export (doc) => doc | null, per document
    tuneTarget: true                # refresh_interval -1 and replicas 0 while copying, then restored
    asyncTranslog: false            # also translog.durability async while copying (faster; a target
                                    # node crash mid-copy can lose seconds of batches: validate finds it)
    leaseIndex: bluegreen-backfill-leases  # slice leases on the target for --workers N

sync:
  method: none                      # gateway | ccr | auto | none (none: writes stop at cutover); with gateway,
                                    # backfill marks the capture log and holds replay while it copies
  maxLag: 30s                       # lag cutover waits for before switching
  # ccr:                            # sync.method ccr (auto: ccr when both clusters can run it, else gateway)
  #   alias: bluegreen-source       # the remote-cluster alias registered on the target
  #   mode: sniff                   # sniff (seeds) | proxy (proxyAddress)
  #   seeds: [source-host:9300]     # default: the transport addresses the source's nodes publish
  #   autoFollow: ["logs-*"]        # followed as new indices appear; default: the selection's wildcards

validate:
  mode: full                        # full: every document by content digest; sample: sampleSize per index
  sampleSize: 1000                  # documents drawn per side and index in sample mode
  seed: 1                           # the same seed over the same data draws the same sample
  countTolerance: 0                 # allowed relative difference in document counts (0 = exact)
  maxAge: 1h                        # cutover refuses a validation older than this (--force overrides)
  settleWait: 1m                    # while sync runs, wait this long for it to catch up, then re-check
  # queries: queries.yaml           # searches and aggregations users run, compared on both sides
  shadowMismatchMax: 0              # share of the gateway's shadow reads allowed to differ (0.001 = 0.1%)
  # probeUsers:                     # with security on both sides: compare what these users may do
  #   - name: reader
  #     username: reader             # or usernameEnv: A_VARIABLE
  #     passwordEnv: BLUEGREEN_READER_PASSWORD   # credentials come from the environment only

cutover:
  writeBlockSource: true            # block writes on the source so none are lost after cutover
  drainTimeout: 5m                  # how long to wait for the last writes to reach the target
  # switchCommand: ./switch-dns.sh   # moves clients to the target (BLUEGREEN_TARGET_URL); exit 0 = switched

rollback:
  unblockSource: true               # lift the source write block again
  deleteTargetIndices: false        # remove what the migration created on the target (destructive)

decommission:
  soak: 0s                          # refuse to decommission until the switch is this old (e.g. 24h)
  # finalSnapshot: { repository: archive }   # last snapshot of the source's migrated indices first
  # (deleting the source's indices is never a setting: decommission --delete-source, name typed back)

# The gateway clients talk to during the migration (sync.method: gateway): it forwards to the source and
# logs every write durably before answering; \`bluegreen replay\` applies the log to the target.
gateway:
  # listen: 127.0.0.1:9400          # default for --listen
  # adminToken: \${BLUEGREEN_GATEWAY_TOKEN}   # bearer token for /_bluegreen/ admin calls (mode switch)
  maxBodySize: 104857600            # bytes; larger write bodies are answered 413
  assignIds: true                   # give id-less index requests and _bulk actions an id first
  requestTimeout: 60s               # wait for a cluster's answer
  fenceHold: 10s                    # fenced mode: hold a write this long, then answer 503
  retryAfter: 5s                    # ...with this Retry-After
  captureInTargetMode: false        # target mode: also log writes for a reverse sync
  shadowReads: 0                    # capture mode: share of reads also sent to the target and compared
  log:
    kind: file                      # file | kafka
    # dir: .bluegreen/my-upgrade-log # file: the segment files
    # brokers: [kafka1:9092]        # kafka: bootstrap brokers (acks=all, idempotent producer)
    # topic: bluegreen-my-upgrade   # kafka: the topic (one partition keeps one total order)
    fsync: true                     # an append is acknowledged only once on disk
    awaitOutcome: false             # document writes: answer once the intent is durable (a lost outcome
                                    # is re-read from the source); true also waits for the outcome.
                                    # By-query and admin requests always wait for their outcome.
    syncBeforeForward: true         # fsync a write's intent before forwarding it. false (file log only)
                                    # fsyncs while the source works: faster on slow disks, but a power
                                    # cut of the gateway host in that window can lose an unanswered write
  # tls: { cert: ./gateway.pem, key: ./gateway-key.pem }   # serve clients over HTTPS
  # shared:                         # several gateways behind a load balancer share one mode (kafka log only)
  #   controlTopic: bluegreen-my-upgrade-control   # compacted topic: mode switches and heartbeats
  #   heartbeat: 1s                 # how often each gateway reports (and acknowledges switches)
  #   lease: 5s                     # a gateway that cannot read the topic this long refuses writes (503)
  #   memberTimeout: 15s            # a gateway silent this long is left out of a switch (> lease + heartbeat)

replay:
  indexRename: {}                   # source index → target index, e.g. { orders: orders-v2 }
  batchSize: 500                    # documents per _bulk to the target
  maxAttempts: 8                    # attempts for transient target failures before replay stops
  outcomeWait: 30s                  # then a write with no logged outcome is re-read from the source
                                    # (a by-query or admin request waits gateway.requestTimeout + 5s)
  # deadLetterPath: .bluegreen/my-upgrade-dead-letters.ndjson
`;
