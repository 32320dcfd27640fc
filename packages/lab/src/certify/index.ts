export {
  type Certificate,
  type CertificateVerdict,
  type CertifyOptions,
  CHECK_IDS,
  type CheckId,
  certify,
} from './certify.js';
export {
  CYCLE_COUNTS,
  cyclesCheck,
  floodCheck,
  raceCheck,
  type SystemCheckOptions,
  stackCheck,
} from './system-checks.js';
