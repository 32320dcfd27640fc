import { defineProject, mergeConfig } from 'vitest/config';
import { pfmsimProject } from '../../vitest.shared.ts';

// the suite-level tests run the whole conformance suite and the fuzzer: give them time
export default mergeConfig(pfmsimProject('test-runner'), defineProject({ test: { testTimeout: 60_000 } }));
