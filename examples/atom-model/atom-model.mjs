// pfmsim plugin: `atom-model`, a PMU model and nothing else.
//
// The Intel Atom PMU (family 6 model 28; libpfm-3.10 PFMLIB_INTEL_ATOM_PMU, type 39) as one
// JSON file under ./models. pfmsim ships no Atom model, so loading this plugin adds
// `intel-atom` to `pfmsim pmu list`, `pmu show`, `machines` (a custom part for --pmu), `stat`
// and pfmsim-test scenarios, with no change to pfmsim.
//
// Written as an outsider would: a plain object that imports nothing. `pmuModels` lists model
// files or directories, relative to this module; every `*.json` under a directory is a model.

export default {
  specificationVersion: 1,
  name: 'atom-model',
  pmuModels: ['./models'],
};
