/** Synthetic models for tests, built from a real model file and validated by pmu-models. */
import {
  type EventFile,
  getModel,
  type PmuModel,
  type PmuModelFile,
  toModelFile,
  validateModel,
} from '@pfmsim/pmu-models';

export function syntheticModel(base: string, edit: (file: PmuModelFile) => void): PmuModel {
  const file = structuredClone(toModelFile(getModel(base)));
  edit(file);
  const result = validateModel(file);
  if (!result.ok) {
    throw new Error(
      `synthetic model invalid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  }
  return result.model;
}

export function event(file: PmuModelFile, name: string): EventFile {
  const found = file.events.find((e) => e.name === name);
  if (found === undefined) throw new Error(`no event ${name}`);
  return found;
}

/** intel-p6 plus MANY (50 combinable unit masks M0..M49 = 1..50) and BARE (no descriptions). */
export function p6WithManyUmasks(): PmuModel {
  return syntheticModel('intel-p6', (f) => {
    f.id = 'test-p6-many';
    f.events.push(
      {
        name: 'MANY',
        code: '0x99',
        counters: [0, 1],
        description: 'fifty unit masks',
        umaskCombinable: true,
        unitMasks: Array.from({ length: 50 }, (_, i) => ({
          name: `M${i}`,
          value: `0x${(i + 1).toString(16)}`,
        })),
      },
      {
        name: 'BARE',
        code: '0x9a',
        counters: [0, 1],
        description: '',
        unitMasks: [{ name: 'X', value: '0x1' }],
      },
    );
    delete f.cycleEvent;
    delete f.instRetiredEvent;
  });
}
