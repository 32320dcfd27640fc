/**
 * @pfmsim/perfmon-core: the simulated perfmon2 kernel interface.
 *
 * So far: the ABI layer (`abi/`): constants, errno and syscall results, byte-exact struct
 * layouts per ABI profile, hot-path accessors and convenience codecs.
 */
export * from './abi/index.js';
