// Property tests are deterministic: one fast-check seed for every run (override with FC_SEED
// to explore; a failure prints the seed and path to replay it).
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20061) });
