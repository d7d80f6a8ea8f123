// DNS probes: prober (UDP + TCP), classification, targets, the continuous monitor, the probe gate,
// the probe log (written compact, read in either format).
export { followChain, normaliseAddress, type ChainResult } from './answers.js';
export { classify, type Classified, type ProbeClass } from './classify.js';
export { awaitGate, type GatePair, type GateSpec, type GateVerdict, type GateVerdictKind, type PairRef } from './gate.js';
export { DEFAULT_MAX_RUN_MS, EvidenceLog, PROBE_LOG_FORMAT, type EvidenceLogOptions } from './evidence-log.js';
export { HealthBook, toLogLine, type PairHealth, type PairResult } from './health.js';
export { Monitor, type MonitorOptions, type ProbeClient, type ResultSource } from './monitor.js';
export { MemoryLog, NdjsonLog, type LineSink } from './ndjson-log.js';
export {
  countByClass,
  countByPair,
  evidenceHoles,
  evidenceRecordOf,
  evidenceRecords,
  readEvidence,
  type EvidenceHole,
  type EvidenceRecord,
  type PairEvidence,
} from './read-evidence.js';
export { Prober, type ProbeReply, type ProberOptions, type ProberStats, type Transport } from './prober.js';
export {
  buildTargets,
  pairKey,
  parseResolver,
  probeNameFor,
  WILDCARD_PROBE_LABEL,
  type EndpointNameInput,
  type ProbeTarget,
  type QueryType,
  type ResolverAddress,
  type VpcResolverInput,
} from './targets.js';
export { ManualTime, monotonicNow, systemTime, type Clock, type Sleep, type Time } from './time.js';
