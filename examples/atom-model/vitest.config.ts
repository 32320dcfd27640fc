import { defineProject } from 'vitest/config';
import { pfmsimProject } from '../../vitest.shared.ts';

const base = pfmsimProject('example-atom-model');
export default defineProject({ ...base, test: { ...base.test, include: ['*.test.ts'] } });
